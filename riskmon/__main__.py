from riskmon.cli.main import main

raise SystemExit(main())
