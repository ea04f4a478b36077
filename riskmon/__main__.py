from riskmon.cli import main

raise SystemExit(main())
