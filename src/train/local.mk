## src/train — trainer, optimizers, input pipeline, runs and jobs
