"""`python -m odvalidation verify`: a clear answer and an exit code a script can use."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from odvalidation.__main__ import main
from odvalidation.certificates.credential import build_credential
from odvalidation.certificates.jws import LocalKeySigner, b64url, public_jwks, sign_credential
from odvalidation.certificates.verification import status_of
from odvalidation.clock import now
from odvalidation.domain.models import CertificateRecord, Level


def make_record(**changes: object) -> CertificateRecord:
    issued = now() - timedelta(days=30)
    fields: dict[str, object] = {
        "id": "cli-cert-9",
        "journey_id": "j-1",
        "practitioner_id": "p-1",
        "holder_name": "Zoë Smith",
        "level": Level.PRACTITIONER,
        "academy_id": "east-midlands",
        "framework_key": "nw-cipd-combined@1.0",
        "element_ids": ["1.1"],
        "valid_from": issued,
        "valid_until": issued + timedelta(days=1095),
        "issued_at": issued,
    }
    fields.update(changes)
    return CertificateRecord.model_validate(fields)


@pytest.fixture(scope="module")
def signer() -> LocalKeySigner:
    return LocalKeySigner.generate("cli-key")


@pytest.fixture
def files(tmp_path: Path, signer: LocalKeySigner) -> dict[str, Path]:
    token = sign_credential(build_credential(make_record(), base_url="http://127.0.0.1"), signer)
    header, payload, signature = token.split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["credentialSubject"]["achievement"]["name"] = "System OD leader"  # a self-promotion
    paths = {
        "good": tmp_path / "certificate.jwt",
        "tampered": tmp_path / "tampered.jwt",
        "jwks": tmp_path / "jwks.json",
    }
    paths["good"].write_text(token + "\n")
    paths["tampered"].write_text(f"{header}.{b64url(json.dumps(body).encode())}.{signature}")
    paths["jwks"].write_text(json.dumps(public_jwks(signer.public_key_der(), signer.key_id)))
    return paths


def test_offline_good_file_exits_0(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(files["good"]), "--jwks", str(files["jwks"])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALID:")
    assert "System OD practitioner" in out
    assert "revoked was not checked" in out  # offline: honest about what it could not check


def test_offline_tampered_file_exits_1(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(files["tampered"]), "--jwks", str(files["jwks"])]) == 1
    out = capsys.readouterr().out
    assert out.startswith("INVALID:")
    assert "signature does not match" in out
    assert "System OD leader" not in out  # nothing from a forged file is repeated as if true


def test_as_a_real_command(files: dict[str, Path]) -> None:
    good = subprocess.run(
        [sys.executable, "-m", "odvalidation", "verify", str(files["good"]), "--jwks", str(files["jwks"])],
        capture_output=True,
        text=True,
        check=False,
    )
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "odvalidation",
            "verify",
            str(files["tampered"]),
            "--jwks",
            str(files["jwks"]),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (good.returncode, bad.returncode) == (0, 1)


def test_name_check(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    args = ["verify", str(files["good"]), "--jwks", str(files["jwks"])]
    assert main([*args, "--name", "zoë smith"]) == 0
    assert main([*args, "--name", "Mallory Jones"]) == 1
    assert "DOES NOT match" in capsys.readouterr().out


def test_unreadable_file_or_no_keys_is_a_usage_error(tmp_path: Path, files: dict[str, Path]) -> None:
    assert main(["verify", str(tmp_path / "missing.jwt"), "--jwks", str(files["jwks"])]) == 2
    assert main(["verify", str(files["good"])]) == 2


# --- online: against a small status service on 127.0.0.1 ---------------------------------------------


class _Issuer:
    def __init__(self, jwks: dict[str, Any]) -> None:
        self.jwks = jwks
        self.records: dict[str, CertificateRecord] = {}
        self.paths: list[str] = []


@pytest.fixture
def issuer(signer: LocalKeySigner) -> Iterator[tuple[str, _Issuer]]:
    state = _Issuer(public_jwks(signer.public_key_der(), signer.key_id))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.paths.append(self.path)
            if self.path == "/.well-known/jwks.json":
                body: Any = state.jwks
            elif self.path.startswith("/api/public/certificates/") and self.path.endswith("/status"):
                record = state.records.get(self.path.split("/")[4])
                if record is None:
                    self.send_error(404)
                    return
                body = status_of(record, now()).model_dump(mode="json")
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # port 0: a free port, safe under xdist
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


def test_online_valid_then_revoked(
    issuer: tuple[str, _Issuer], signer: LocalKeySigner, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, state = issuer
    record = make_record()
    token_file = tmp_path / "c.jwt"
    token_file.write_text(sign_credential(build_credential(record, base_url=base), signer))
    state.records[record.id] = record

    assert main(["verify", str(token_file), "--base-url", base + "/"]) == 0
    assert capsys.readouterr().out.startswith("VALID:")
    assert state.paths == ["/.well-known/jwks.json", f"/api/public/certificates/{record.id}/status"]

    state.records[record.id] = record.model_copy(
        update={"revoked_at": now() - timedelta(minutes=1), "revoked_reason": "Issued in error"}
    )
    assert main(["verify", str(token_file), "--status-url-base", base]) == 1
    out = capsys.readouterr().out
    assert out.startswith("REVOKED:")
    assert "Issued in error" in out

    del state.records[record.id]
    assert main(["verify", str(token_file), "--base-url", base, "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["status"] == "unknown"


def test_online_unreachable_service_is_not_reported_as_invalid(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["verify", str(files["good"]), "--base-url", "http://127.0.0.1:9"])  # discard port: refused
    assert code == 2
    assert "Could not check" in capsys.readouterr().err
