"""The user's Python environment, found and read the way type checkers do, never run: which
interpreter or virtual environment (locate.py) and the folders its imports search, from its
site-packages, .pth files and editable installs (sitepath.py)."""
