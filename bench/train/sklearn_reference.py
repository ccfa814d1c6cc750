#!/usr/bin/python3
"""scikit-learn reference figures for the comparison in bench/train/README.

Run with the system python that has scikit-learn (/usr/bin/python3).  Each
dataset is prepared the way prodml's automatic transform prepares it:
numbers standardized, missing numbers imputed with the training mean plus a
missing indicator, strings one-hot (unseen values ignored), and the same
train/eval files.  Models use scikit-learn's defaults.  Not part of the
build or the tests.
"""
import sys
import time
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (accuracy_score, log_loss, mean_absolute_error,
                             mean_squared_error, r2_score, roc_auc_score)
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

DATA = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"


def prep(num, cat):
    steps = []
    if num:
        steps.append(("num", make_pipeline(SimpleImputer(strategy="mean", add_indicator=True),
                                           StandardScaler()), num))
    if cat:
        steps.append(("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="NA"),
                                           OneHotEncoder(handle_unknown="ignore")), cat))
    return ColumnTransformer(steps)


def regression(name, tr, ev, label, num, cat):
    for model in (LinearRegression(), MLPRegressor(random_state=0)):
        p = make_pipeline(prep(num, cat), model)
        t = time.time()
        p.fit(tr[num + cat], tr[label])
        pred = p.predict(ev[num + cat])
        y = ev[label]
        print(f"{name:12s} {type(model).__name__:20s} rmse {np.sqrt(mean_squared_error(y, pred)):.4f}"
              f" mae {mean_absolute_error(y, pred):.4f} r2 {r2_score(y, pred):.4f}"
              f"  ({time.time() - t:.1f}s)")


def classification(name, tr, ev, label, num, cat):
    for model in (LogisticRegression(), MLPClassifier(random_state=0)):
        p = make_pipeline(prep(num, cat), model)
        t = time.time()
        p.fit(tr[num + cat], tr[label])
        prob = p.predict_proba(ev[num + cat])
        y = ev[label]
        classes = list(p.classes_)
        keep = y.isin(classes)
        y, prob = y[keep], prob[keep.values]
        if len(classes) == 2:
            auc = roc_auc_score(y == classes[1], prob[:, 1])
        else:
            auc = roc_auc_score(y, prob, multi_class="ovr", labels=classes)
        acc = accuracy_score(y, np.array(classes)[prob.argmax(1)])
        print(f"{name:12s} {type(model).__name__:20s} auc {auc:.4f} accuracy {acc:.4f}"
              f" logloss {log_loss(y, prob, labels=classes):.4f}  ({time.time() - t:.1f}s)")


def main():
    cols = ["weight_pounds", "is_male", "mother_age", "plurality", "gestation_weeks", "hashmonth"]
    tr = pd.read_csv(f"{DATA}/babyweight/train.csv", names=cols)
    ev = pd.read_csv(f"{DATA}/babyweight/eval.csv", names=cols)
    for d in (tr, ev):
        d["is_male"] = d["is_male"].astype(str)
    regression("babyweight", tr, ev, "weight_pounds", ["mother_age", "gestation_weeks"],
               ["is_male", "plurality"])

    tr = pd.read_csv(f"{DATA}/chicago_taxi_tfdv/train.csv")
    ev = pd.read_csv(f"{DATA}/chicago_taxi_tfdv/eval.csv")
    num = ["fare", "trip_miles", "trip_seconds", "trip_start_hour", "trip_start_day",
           "trip_start_month", "pickup_community_area", "dropoff_community_area"]
    cat = ["payment_type", "company"]
    regression("taxi tips", tr, ev, "tips", num, cat)
    for d in (tr, ev):
        d["big_tipper"] = np.where(d["tips"] > 0.2 * d["fare"], 1, 0)
    classification("taxi big tip", tr, ev, "big_tipper", num, cat)

    tr = pd.read_csv(f"{DATA}/spending_score/score_train.csv")
    ev = pd.read_csv(f"{DATA}/spending_score/score_test.csv")
    classification("spending", tr, ev, "Spending_Score", ["Work_Experience", "Family_Size"],
                   ["Graduated", "Profession"])


if __name__ == "__main__":
    main()
