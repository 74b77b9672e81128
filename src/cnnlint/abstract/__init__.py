"""The abstract values cnnlint computes with, and the operations on them that every other part
shares: tensors of symbolic shape (tensors.py), user classes (classes.py),
name scopes, in-place changes, and the findings a shape rule records. Nothing here knows torch's
API or evaluates code; it imports nothing of cnnlint above it."""
