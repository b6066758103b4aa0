"""Try sign-in locally: a test OpenID Connect provider on 127.0.0.1, and the app's secrets.

    python scripts/dev_oidc.py --write          # writes .streamlit/secrets.toml
    streamlit run app.py                        # in another terminal; open localhost:8501

The provider (tests/app/oidc_provider.py) offers four made-up accounts: a
viewer, an editor, an admin and someone with no role. ``--write`` refuses to
replace a secrets file that exists; without it the settings are printed.
Stop with Ctrl-C. Nothing here is fit for a real deployment: see docs/auth.md.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.app.oidc_provider import ACCOUNTS, OIDCProvider  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8999, help="provider port (default 8999)")
    parser.add_argument("--app-port", type=int, default=8501, help="the app's port (default 8501)")
    parser.add_argument(
        "--write", action="store_true", help="write .streamlit/secrets.toml (if it does not exist)"
    )
    args = parser.parse_args(argv)
    redirect = f"http://localhost:{args.app_port}/oauth2callback"
    with OIDCProvider(port=args.port) as provider:
        text = provider.secrets_toml(redirect, secrets.token_urlsafe(32))
        target = ROOT / ".streamlit" / "secrets.toml"
        if args.write and target.exists():
            print(f"{target} exists; not replaced. Remove it or copy from below.", file=sys.stderr)
        if args.write and not target.exists():
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target} (delete it to go back to local mode)")
        else:
            print(text)
        print(f"test provider at {provider.issuer}; accounts:")
        for account in ACCOUNTS:
            print(f"  {account.username:6} {account.email:20} groups {', '.join(account.groups)}")
        print("Ctrl-C stops it.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
