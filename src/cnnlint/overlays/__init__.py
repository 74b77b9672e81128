"""Knowledge of the world beyond the layer table, one module per namespace (torch.nn.functional,
torch.*, tensor methods, Python builtins and types, itertools, einops, ...), each a table of
small functions that the interpreter's dispatch (interpret/library.py) consults. Libraries
other than torch are listed in libraries.py."""
