"""Knowledge of torch namespaces beyond the layer table, one module per namespace, each a
table of small functions that the interpreter's dispatch points consult."""
