## src/registry — models, versions, aliases
