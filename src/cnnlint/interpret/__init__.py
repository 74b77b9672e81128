"""The evaluator: runs model code over abstract values (core.Interp with its statements,
expressions and calls), builds module instances, and dispatches each call, attribute and
subscript to the knowledge in layers/ and overlays/. imports.py and modulescope.py find the
names a file imports and evaluate a file's top level lazily."""
