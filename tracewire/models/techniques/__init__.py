"""Shipped technique model weights: model.npz, model.json (eval/train_techniques.py) and the MiniLM tagger's
minilm_tagger.npz, minilm_tagger.json (eval/train_techniques_tagger.py, eval/combine_techniques_tagger.py)."""
