"""Shipped technique model weights: model.npz, model.json (eval/train_techniques.py), the MiniLM tagger's
minilm_tagger.npz, minilm_tagger6.npz (the two taggers averaged), minilm_tagger.json
(eval/train_techniques_tagger.py, eval/combine_techniques_tagger.py)
and the MiniLM span classifier's minilm_classifier.npz, minilm_classifier.json (eval/train_techniques_tc.py)."""
