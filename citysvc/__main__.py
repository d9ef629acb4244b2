from __future__ import annotations

import sys

from citysvc.cli import main

sys.exit(main())
