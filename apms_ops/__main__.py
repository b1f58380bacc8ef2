import sys

from apms_ops.cli import main

sys.exit(main())
