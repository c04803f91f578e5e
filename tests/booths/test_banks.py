"""The payee's bank list (booths/data/vn_banks.csv) agrees with a maintained one: the BINs of vietnam-qr-pay
(npm, MIT; installed by `make setup` as a development package, never served)."""

from __future__ import annotations

import json
import shutil
import subprocess

from django.conf import settings

from booths.banks import banks

PACKAGE = settings.BASE_DIR / "node_modules" / "vietnam-qr-pay"
# Its wallets are not banks an organizer's account is held at.
NOT_BANKS = {"momo"}


def maintained_banks() -> list[dict]:
    """vietnam-qr-pay's bank table as the package exports it (its compiled module, read by Node)."""
    node = shutil.which("node")
    assert node, "Node.js is needed (make setup installs the front-end packages with npm)"
    script = ("const {Banks} = require(process.argv[1]); "
              "console.log(JSON.stringify(Banks.map(b => ({key: b.key, bin: b.bin, name: b.name, "
              "short: b.shortName, status: b.vietQRStatus}))));")
    out = subprocess.run([node, "-e", script, str(PACKAGE / "dist" / "constants" / "banks.js")],
                         capture_output=True, text=True, check=True, timeout=30)
    return json.loads(out.stdout)


def test_every_listed_bin_is_a_vietqr_bank_of_the_maintained_list():
    theirs: dict[str, list[dict]] = {}
    for bank in maintained_banks():
        if bank["bin"]:
            theirs.setdefault(bank["bin"], []).append(bank)
    for bin_code, bank in banks().items():
        assert bin_code in theirs, f"{bin_code} ({bank.short_name}) is not a BIN in vietnam-qr-pay"
        # -1: the bank does not take VietQR at all; 0: it receives (enough for a payee); 1: it also sends
        assert max(b["status"] for b in theirs[bin_code]) >= 0, f"{bank.short_name} does not take VietQR"


def test_every_bank_of_the_maintained_list_that_receives_vietqr_is_offered():
    missing = [f"{b['bin']} {b['short']}" for b in maintained_banks()
               if b["bin"] and b["status"] >= 0 and b["key"] not in NOT_BANKS and b["bin"] not in banks()]
    assert not missing, f"add to booths/data/vn_banks.csv: {missing}"
