from cnnlint.cli import main

raise SystemExit(main())
