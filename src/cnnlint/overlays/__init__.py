"""What cnnlint knows of torch beyond its layer table, one module per namespace."""
