from hygis.cli import main

raise SystemExit(main())
