#!/usr/bin/env python3
"""The scikit-learn reference for the text transfer case's bag of words: logistic regression over
word counts, word presence and tf-idf of the same e-mails (the first 64 words, as the study reads
them), on the same labelled rows and test rows as the study's runs (rows.json written by
scripts/text-bow-variants.mjs), trained on all of a run's labelled rows (no validation split) to
convergence (lbfgs). Prints the mean and sd over seeds of the test accuracy by budget (%).
Usage: /usr/bin/python3 scripts/text_bow_sklearn.py rows.json
"""
import json
import sys

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression

runs = json.load(open(sys.argv[1]))
size = max(max(max(r["train"]), max(r["test"])) for r in runs) + 1


def counts(ids, width):
    """Rows of word ids ([PAD] 0 and [UNK] 1 left out) as a sparse count matrix."""
    x = np.array(ids, dtype=np.int64).reshape(-1, width)
    rows, cols = np.nonzero(x > 1)
    return csr_matrix((np.ones(len(rows)), (rows, x[rows, cols])), shape=(x.shape[0], size))


for name in ["counts", "presence", "tf-idf"]:
    for c in [1, 10, 100]:
        acc = {}
        for r in runs:
            x, xt = counts(r["train"], r["width"]), counts(r["test"], r["width"])
            if name == "presence":
                x, xt = (x > 0).astype(float), (xt > 0).astype(float)
            elif name == "tf-idf":
                tf = TfidfTransformer().fit(x)
                x, xt = tf.transform(x), tf.transform(xt)
            m = LogisticRegression(C=c, max_iter=5000).fit(x, r["trainLabels"])
            acc.setdefault(r["budget"], []).append(100 * (m.predict(xt) == np.array(r["testLabels"])).mean())
        print(name, "C", c, {b: f"{np.mean(v):.1f} ± {np.std(v, ddof=1):.1f}" for b, v in acc.items()})
