"""Share a data set folder on the Hugging Face Hub: create (or reuse) a dataset repository and
upload the folder as one commit, with ``huggingface_hub``'s own API.

The token is the standard Hugging Face login (``hf auth login`` stores it, ``HF_TOKEN``
overrides it), unless one is passed. The repository is private unless asked otherwise. A
push changes nothing on this computer, so a failed one leaves everything as it was; each
failure is one ``PushError`` whose ``reason`` says what the user can do about it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

PushReason = Literal["login", "denied", "not_found", "network", "invalid", "other"]

_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")


class PushError(Exception):
    """A push that did not happen; the message is one sentence for the user."""

    def __init__(self, reason: PushReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class PushResult:
    """Where the data set now is: its page and the commit that put the files there."""

    repo_id: str
    url: str
    commit: str
    private: bool


def check_repo_id(repo_id: str) -> str:
    """``repo_id`` if it names a repository as OWNER/NAME; ``PushError`` if not."""
    if not _REPO_ID.match(repo_id) or ".." in repo_id or repo_id.endswith((".git", ".")):
        raise PushError(
            "invalid",
            f"“{repo_id}” is not a repository name: use OWNER/NAME, e.g. yourname/my-ratings.",
        )
    return repo_id


def endpoint() -> str:
    """The Hub's address: HF_ENDPOINT, else huggingface.co."""
    return os.environ.get("HF_ENDPOINT") or "https://huggingface.co"


def login_token() -> str | None:
    """The token of the standard Hugging Face login (HF_TOKEN, else ``hf auth login``'s)."""
    from huggingface_hub import get_token

    return get_token()


def who_am_i(token: str) -> str:
    """The user name the token belongs to; ``PushError`` if the Hub refuses it."""
    from huggingface_hub import HfApi

    try:
        info = HfApi(endpoint=endpoint()).whoami(token=token)
    except Exception as error:
        raise _translate(error, "") from None
    return str(info.get("name", ""))


def push_folder(
    folder: Path,
    repo_id: str,
    *,
    private: bool = True,
    token: str | None = None,
    message: str = "Upload preference data from LlamaDesk",
) -> PushResult:
    """Upload every file in ``folder`` to the dataset repository ``repo_id`` as one commit.

    The repository is made if it does not exist (private unless ``private`` is False); an
    existing one keeps its visibility and gets a new commit.
    """
    from huggingface_hub import HfApi

    check_repo_id(repo_id)
    token = token or login_token()
    if not token:
        raise PushError(
            "login",
            "You are not logged in to Hugging Face: run `hf auth login` or set HF_TOKEN, "
            "then try again.",
        )
    api = HfApi(endpoint=endpoint(), token=token)
    try:
        url = api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        commit = api.upload_folder(
            repo_id=repo_id, folder_path=folder, repo_type="dataset", commit_message=message
        )
    except Exception as error:
        raise _translate(error, repo_id) from None
    return PushResult(repo_id, str(url), commit.oid, private)


def _translate(error: Exception, repo_id: str) -> PushError:
    """One sentence for what went wrong; anything unforeseen is re-raised as it is (a bug)."""
    from huggingface_hub.errors import HfHubHTTPError

    # huggingface_hub's own HTTP module (httpx in 1.x, httpx2 in 2.x), as core.downloads uses it.
    from huggingface_hub.utils import httpx  # type: ignore[attr-defined]

    if isinstance(error, HfHubHTTPError) and error.response is not None:
        status = error.response.status_code
        if status == 401:
            return PushError(
                "login",
                "Hugging Face refused the token (401): log in again with `hf auth login` "
                "or a new token.",
            )
        if status == 403:
            return PushError(
                "denied",
                f"Your token may not write to {repo_id or 'this repository'} (403): use a token "
                "with write access, or a repository under your own name.",
            )
        if status == 404:
            return PushError(
                "not_found",
                f"Hugging Face has no owner or repository {repo_id} (404): check the name.",
            )
        return PushError("other", f"Hugging Face answered {status}: {_first_line(error)}")
    if isinstance(error, (httpx.TransportError, ConnectionError, TimeoutError)):
        return PushError(
            "network",
            f"Could not reach {endpoint()}: {_first_line(error)}. Check the connection and "
            "try again.",
        )
    if isinstance(error, ValueError):  # e.g. the Hub rejected the card's YAML header
        return PushError("invalid", _first_line(error))
    if isinstance(error, OSError):
        return PushError("other", f"Could not read the files to upload: {_first_line(error)}")
    raise error


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def log_in(token: str) -> str:
    """Check ``token`` with the Hub and keep it where ``hf auth login`` keeps it; the user name.

    ``PushError`` if the Hub refuses it (nothing is kept then).
    """
    from huggingface_hub import constants

    token = token.strip()
    if not token:
        raise PushError("login", "Paste a Hugging Face access token (it starts with hf_).")
    name = who_am_i(token)
    path = Path(constants.HF_TOKEN_PATH)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(token)
        path.chmod(0o600)
    except OSError as error:
        raise PushError("other", f"Could not keep the token in {path}: {error}") from None
    return name
