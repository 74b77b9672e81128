from cnnlint.cli import run

run()
