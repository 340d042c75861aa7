"""OpenID Connect login, the relying party's side (Authlib): who logged in at the provider.

The authorization code flow with PKCE (S256). `start` makes the provider's address and a flow
cookie: state, nonce, PKCE verifier and where to go afterwards, signed with the app's secret key
(itsdangerous) and valid for `flow_max_age_s`; the browser carries it back to the callback only
(Path=/inloggen/oidc, HttpOnly, SameSite=Lax). `finish` checks the cookie and the state, redeems
the code at the token endpoint with the client secret and the verifier, verifies the ID token
(signature against the provider's JWKS, iss, aud, exp, nonce, at_hash) and returns the person
id from the claim named by `oidc_person_claim`. Anything else raises `OidcRefused`. The provider's
discovery document and keys are fetched once and kept (the keys again when a token names a key
not seen yet). No token, code or verifier is ever logged or put into an exception message.
"""

from __future__ import annotations

import hmac
import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError

with warnings.catch_warnings():
    # Authlib 1.9 warns at import that httpx is deprecated in favour of its fork httpx2; poflow
    # uses httpx (pinned, as Prefect does) and the warning would reach every command's stderr.
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import OAuth2Client
from authlib.oidc.core import CodeIDToken
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from poflow._exceptions import ConfigError, OidcRefused
from poflow.settings import Settings

__all__ = [
    "CALLBACK_PATH",
    "FLOW_COOKIE",
    "FLOW_PATH",
    "Flow",
    "Identified",
    "OidcClient",
    "safe_next",
]

FLOW_PATH = "/inloggen/oidc"
CALLBACK_PATH = f"{FLOW_PATH}/terug"
FLOW_COOKIE = "poflow_oidc_flow"
SCOPE = "openid profile email"
LEEWAY_S = 60  # clock difference allowed between the provider and poflow
# Signed by the provider's private key only: "none" and the client-secret HMACs are not taken.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_PERSON_ID = 64


@dataclass(frozen=True)
class Flow:
    """One login attempt, kept in the signed flow cookie between start and callback."""

    state: str
    nonce: str
    verifier: str  # the PKCE code verifier
    next_path: str | None


@dataclass(frozen=True)
class Identified:
    """The outcome of a login: the person id from the claim, and where to go next."""

    person_id: str
    next_path: str | None


def safe_next(raw: str | None) -> str | None:
    """`raw` when it is a path on this site ("/a/..."), else None: never another site's address."""
    if not raw or len(raw) > 2000 or not raw.startswith("/") or raw.startswith("//"):
        return None
    if "\\" in raw or any(ord(c) < 0x21 or ord(c) == 0x7F for c in raw):
        return None
    return raw


class OidcClient:
    """The login of one poflow installation at one OpenID provider (thread-safe)."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        person_claim: str,
        secret_key: str,
        flow_max_age_s: int = 600,
        timeout_s: float = 10.0,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.person_claim = person_claim
        self.flow_max_age_s = flow_max_age_s
        self._timeout = timeout_s
        self._signer = URLSafeTimedSerializer(secret_key, salt="poflow.oidc.flow")
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> OidcClient:
        """The client for `settings`; ConfigError names the OIDC setting that is missing/wrong."""
        problems = []
        issuer = settings.oidc_issuer or ""
        parts = urlsplit(issuer)
        if parts.scheme != "https" and not (
            parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
        ):
            problems.append("POFLOW_OIDC_ISSUER: expected an https:// address of the provider")
        if not settings.oidc_client_id:
            problems.append("POFLOW_OIDC_CLIENT_ID: not set (the client id registered for poflow)")
        secret = settings.oidc_client_secret
        if secret is None or not secret.get_secret_value():
            problems.append("POFLOW_OIDC_CLIENT_SECRET: not set (the client secret of poflow)")
        if problems:
            raise ConfigError("settings", problems)
        return cls(
            issuer=issuer,
            client_id=settings.oidc_client_id or "",
            client_secret=secret.get_secret_value() if secret else "",
            redirect_uri=settings.resolved_base_url() + CALLBACK_PATH,
            person_claim=settings.oidc_person_claim,
            secret_key=settings.signing_keys()[0],  # a flow lives minutes: the current key
            **kwargs,
        )

    # -- the provider's documents ------------------------------------------------------------
    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = httpx.get(url, timeout=self._timeout, follow_redirects=False)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcRefused("unavailable", f"GET {url} failed: {type(exc).__name__}") from None
        if not isinstance(document, dict):
            raise OidcRefused("unavailable", f"GET {url} did not answer a JSON object")
        return document

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document, fetched once; it must name the configured issuer."""
        with self._lock:
            if self._metadata is None:
                url = f"{self.issuer}/.well-known/openid-configuration"
                document = self._get_json(url)
                if str(document.get("issuer", "")).rstrip("/") != self.issuer:
                    raise OidcRefused("unavailable", f"{url} names another issuer")
                for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(document.get(key), str):
                        raise OidcRefused("unavailable", f"{url} lacks {key}")
                self._metadata = document
            return self._metadata

    def _key_set(self, *, refresh: bool = False) -> KeySet:
        jwks_uri = self.metadata()["jwks_uri"]
        with self._lock:
            if self._keys is None or refresh:
                try:
                    self._keys = KeySet.import_key_set(self._get_json(jwks_uri))  # type: ignore[arg-type]  # a JWKS object, checked by import
                except (JoseError, ValueError, KeyError, TypeError):
                    raise OidcRefused("unavailable", f"{jwks_uri} holds no usable keys") from None
            return self._keys

    # -- the flow ----------------------------------------------------------------------------
    def start(self, next_path: str | None) -> tuple[str, str]:
        """The provider's authorization address to send the browser to, and the flow cookie."""
        flow = Flow(
            generate_token(32), generate_token(32), generate_token(64), safe_next(next_path)
        )
        with OAuth2Client(
            self.client_id,
            scope=SCOPE,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
        ) as client:
            url, _state = client.create_authorization_url(
                self.metadata()["authorization_endpoint"],
                state=flow.state,
                code_verifier=flow.verifier,
                nonce=flow.nonce,
            )
        cookie = self._signer.dumps([flow.state, flow.nonce, flow.verifier, flow.next_path])
        return url, cookie

    def read_flow(self, cookie: str | None) -> Flow:
        """The login attempt in a flow cookie; refused when missing, altered or expired."""
        if not cookie:
            raise OidcRefused("flow", "no login attempt is under way (no flow cookie)")
        try:
            state, nonce, verifier, next_path = self._signer.loads(
                cookie, max_age=self.flow_max_age_s
            )
        except SignatureExpired:
            raise OidcRefused("flow", "the login attempt expired") from None
        except (BadSignature, ValueError, TypeError):
            raise OidcRefused("flow", "the flow cookie is not one poflow signed") from None
        return Flow(str(state), str(nonce), str(verifier), safe_next(next_path))

    def exchange(self, code: str, flow: Flow) -> dict[str, Any]:
        """Redeem the authorization code at the token endpoint (client secret + PKCE verifier)."""
        token_endpoint = self.metadata()["token_endpoint"]
        try:
            with OAuth2Client(
                self.client_id,
                self._client_secret,
                token_endpoint_auth_method="client_secret_basic",  # noqa: S106  (a method name, not a secret)
                redirect_uri=self.redirect_uri,
                timeout=self._timeout,
            ) as client:
                token = client.fetch_token(
                    token_endpoint,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=flow.verifier,
                )
        except OAuthError as exc:
            raise OidcRefused(
                "token", f"the token endpoint refused the code: {exc.error}"
            ) from None
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcRefused("unavailable", f"token endpoint: {type(exc).__name__}") from None
        return dict(token)

    def verify_id_token(
        self, id_token: object, *, nonce: str, access_token: str | None = None
    ) -> dict[str, Any]:
        """The ID token's claims after checking signature, iss, aud, exp, nonce and at_hash."""
        if not isinstance(id_token, str) or not id_token:
            raise OidcRefused("id_token", "the token response holds no ID token")
        metadata = self.metadata()
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in offered if a in SIGNING_ALGORITHMS]
        try:
            try:
                token = jwt.decode(id_token, self._key_set(), algorithms=algorithms)
            except InvalidKeyIdError:  # the provider rolled its keys: fetch them once more
                token = jwt.decode(id_token, self._key_set(refresh=True), algorithms=algorithms)
            claims = CodeIDToken(
                token.claims,
                token.header,
                {
                    "iss": {"essential": True, "value": metadata["issuer"]},
                    "aud": {"essential": True, "value": self.client_id},
                },
                {"nonce": nonce, "client_id": self.client_id, "access_token": access_token},
            )
            claims.validate(leeway=LEEWAY_S)
        except (JoseError, ValueError) as exc:
            raise OidcRefused("id_token", f"the ID token is not valid: {exc}") from None
        return dict(claims)

    def person_of(self, claims: Mapping[str, Any]) -> str:
        """The person id in the configured claim; refused when missing, empty or not an id."""
        value = claims.get(self.person_claim)
        if not isinstance(value, str) or not value.strip():
            raise OidcRefused("claim", f"the ID token has no {self.person_claim!r} claim")
        person = value.strip()
        if len(person) > MAX_PERSON_ID or not person.isprintable():
            raise OidcRefused("claim", f"the {self.person_claim!r} claim is not a person id")
        return person

    def finish(self, cookie: str | None, params: Mapping[str, str]) -> Identified:
        """Check the provider's answer at the callback and return who logged in."""
        flow = self.read_flow(cookie)
        if not hmac.compare_digest(params.get("state", "").encode(), flow.state.encode()):
            raise OidcRefused("state", "the state does not match this login attempt")
        if error := params.get("error"):
            raise OidcRefused("provider", f"the provider answered error {error[:64]!r}")
        issuer = params.get("iss")  # RFC 9207: sent by providers that support it
        if issuer is not None and issuer.rstrip("/") != self.issuer:
            raise OidcRefused("provider", "the answer names another issuer")
        code = params.get("code")
        if not code:
            raise OidcRefused("provider", "the answer holds no authorization code")
        token = self.exchange(code, flow)
        access_token = token.get("access_token")
        claims = self.verify_id_token(
            token.get("id_token"),
            nonce=flow.nonce,
            access_token=access_token if isinstance(access_token, str) else None,
        )
        return Identified(self.person_of(claims), flow.next_path)
