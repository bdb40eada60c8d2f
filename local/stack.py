"""LocalStack: moto in this process, template.yaml deployed into it, the HTTP front, and a scheduler.

moto runs as a ThreadedMotoServer in *this* process because Lambda handlers are dispatched
in-process (local.dispatch) and must share the clock (odvalidation.clock) with the schedule firer.
moto's backends are process-global, so one LocalStack runs per process at a time.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from local import (
    async_invokes,
    cognito_rules,
    direct_calls,
    dispatch,
    iam,
    mailbox,
    moto_faults,
    moto_tuning,
    s3_post_policy,
    s3_presigned,
)
from local.deploy import clients_for, deploy, stage_name
from local.deployed import ACCOUNT_ID, REGION, TEMPLATE, DeployedStack
from local.mailbox import SentEmail

if TYPE_CHECKING:
    from local.environments import Environments

log = logging.getLogger(__name__)

_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_STANDARD_ATTRIBUTES = {"email", "name", "given_name", "family_name", "phone_number", "email_verified"}


class FiredSchedule(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    target_arn: str
    due: datetime
    error: str | None = None


class DemoUser(BaseModel):
    model_config = ConfigDict(frozen=True)

    email: str
    name: str
    groups: list[str]
    password: str
    attributes: dict[str, str] = {}


def free_port(preferred: int = 0) -> int:
    """The preferred port if it is free on 127.0.0.1, else any free port."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port on 127.0.0.1")


class LocalStack:
    """The whole AWS side of the product on 127.0.0.1, in this process. Start with start() or `with`."""

    _active: ClassVar[LocalStack | None] = None
    _active_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        moto_port: int = 0,
        http_port: int = 0,
        template: Path = TEMPLATE,
        fire_schedules_every: float | None = 1.0,
        direct_calls: bool = True,
    ) -> None:
        """Ports 0 mean "any free port"; fire_schedules_every=None turns the background firer off;
        direct_calls=False sends this process's own AWS calls over HTTP too (local/direct_calls.py)."""
        self._direct_calls = direct_calls
        self.template = template
        self._requested_moto_port = moto_port
        self._requested_http_port = http_port
        self._fire_every = fire_schedules_every
        self.moto_port = 0
        self.http_port = 0
        self.stage = stage_name(template)  # the API's stage, as in the deployed URL
        self.deployed = DeployedStack()
        self.demo_users: dict[str, DemoUser] = {}
        self.fired: list[FiredSchedule] = []
        self._server: Any = None
        self._front: Any = None
        self._saved_env: dict[str, str | None] = {}
        self._stop = threading.Event()
        self._firer: threading.Thread | None = None
        self._fire_lock = threading.Lock()
        self._client: Any = None
        # Lambda's asynchronous invocations (InvocationType=Event), run in the background with Lambda's
        # retries and failure destinations (local/async_invokes.py); `drain()` runs them to the end now.
        self.async_invokes = async_invokes.AsyncInvoker(lambda: self.client("sqs"))
        self._async_runner: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    @property
    def origin(self) -> str:
        """The HTTP front's scheme, host and port (what a browser sends as Origin)."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def base_url(self) -> str:
        """The service's address (its PUBLIC_BASE_URL locally): under the API's stage, as after
        `sam deploy` (https://{api}.execute-api.{region}.amazonaws.com/v1)."""
        return f"{self.origin}/{self.stage}"

    @property
    def local_url(self) -> str:
        """The local-only pages (demo users, mailbox, clock): outside the stage, as nothing of the
        deployed service is."""
        return f"{self.origin}/_local"

    @property
    def user_pool_id(self) -> str:
        return self.deployed.global_environment["USER_POOL_ID"]

    @property
    def user_pool_client_id(self) -> str:
        return self.deployed.global_environment["USER_POOL_CLIENT_ID"]

    @property
    def jwks_url(self) -> str:
        return f"{self.endpoint_url}/{self.user_pool_id}/.well-known/jwks.json"

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{REGION}.amazonaws.com/{self.user_pool_id}"

    def client(self, service: str) -> Any:
        """A boto3 client for the local stack (cached per service)."""
        return self._client(service)

    def start(self) -> Self:
        from moto.server import ThreadedMotoServer

        from local.http_front import HttpFront

        with LocalStack._active_lock:
            if LocalStack._active is not None:
                raise RuntimeError("a LocalStack already runs in this process (moto's state is process-wide)")
            LocalStack._active = self
        try:
            logging.getLogger("werkzeug").setLevel(logging.WARNING)
            moto_tuning.install()
            iam.install()  # before any client is made: every botocore session gets the IAM check
            cognito_rules.install()  # client attribute permissions and triggers, as Cognito has them
            direct_calls.install()
            self.moto_port = free_port(self._requested_moto_port)
            self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
            self._server.start()
            s3_post_policy.install(self._server)  # S3 checks a POST policy; moto does not
            s3_presigned.install(self._server)  # S3 refuses an expired presigned GET; moto does not
            if self._direct_calls:  # the handlers' calls reach the same WSGI app without a socket
                wsgi_server = self._server._server
                direct_calls.use(f"127.0.0.1:{self.moto_port}", lambda: wsgi_server.app)
            self._client = clients_for(self.endpoint_url)
            # Bind the front first: its URL is the service's public base URL (links in email, CORS).
            self._front = HttpFront(self, port=free_port(self._requested_http_port))
            self.http_port = self._front.port
            self._set_env({"MOTO_PORT": str(self.moto_port), **self._aws_env()})
            self._moto_api("config", {"stepfunctions": {"execute_state_machine": True}})
            dispatch.install()
            async_invokes.install()
            async_invokes.use(self.async_invokes)
            self.deployed = deploy(
                self.endpoint_url,
                self.template,
                # SenderVerified: the stack verifies the sender itself (below), so Cognito's email goes
                # through SES as it does on AWS once the sender is verified (docs/deploy.md).
                {"PublicBaseUrl": self.base_url, "SenderVerified": "true"},
            )
            if self.deployed.stage_name != self.stage:
                raise RuntimeError(
                    f"the API deployed to stage {self.deployed.stage_name!r}, not {self.stage!r}"
                )
            # Every function behind an API route (not only one whose module names its resolver `app`:
            # the web function's lives in odvalidation.web.site, and ran unlocked before).
            behind_routes = {r.function_name for r in self.deployed.routes}
            for name, info in self.deployed.functions.items():
                dispatch.HANDLERS[name] = dispatch.HandlerRef(
                    module=info.module,
                    attribute=info.attribute,
                    memory_mb=info.memory_mb,
                    timeout_s=info.timeout_s,
                    one_at_a_time=name in behind_routes,
                )
            self._set_env(self._service_env())
            # From here on each function's calls are authorised against its own role (local.iam).
            iam.use(iam.load(self.client, list(self.deployed.functions), self._buckets()))
            sender = self.deployed.global_environment["SENDER_EMAIL"]
            self.client("ses").verify_email_identity(EmailAddress=sender)
            self._forget_cached_settings()
            self._front.start()
            if self._fire_every:
                self._firer = threading.Thread(target=self._fire_loop, name="local-scheduler", daemon=True)
                self._firer.start()
                self._async_runner = threading.Thread(
                    target=self.async_invokes.run, args=(self._stop,), name="local-async-invokes", daemon=True
                )
                self._async_runner.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the firer, the HTTP front and moto; forget moto's state; restore the environment."""
        self._stop.set()
        if self._firer is not None:
            self._firer.join(timeout=10)
            self._firer = None
        if self._async_runner is not None:
            self._async_runner.join(timeout=10)
            self._async_runner = None
        async_invokes.use(None)
        async_invokes.CONFIGS.clear()
        if self._front is not None:
            self._front.stop()
            self._front = None
        if self._server is not None:
            try:
                self._moto_api("reset", None)
            except OSError:
                log.exception("could not reset moto's state")
            self._server.stop()
            self._server = None
        direct_calls.use(None)
        iam.use(None)
        for name in self.deployed.functions:
            dispatch.HANDLERS.pop(name, None)
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved_env = {}
        self._forget_cached_settings()
        with LocalStack._active_lock:
            if LocalStack._active is self:
                LocalStack._active = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @classmethod
    def active(cls) -> LocalStack | None:
        return cls._active

    @contextmanager
    def environments(self, size: int = 4) -> Iterator[Environments]:
        """Within the block, handlers run in execution environments: `size` worker processes (more
        when every one is busy), so that they use a core of their own beside moto's server."""
        from local.environments import Environments

        pool = Environments(size).start()
        dispatch.use(pool)
        try:
            yield pool
        finally:
            dispatch.use(None)
            pool.stop()

    @contextmanager
    def inject_dynamodb_faults(
        self,
        *,
        window: float = 0.0,
        conflict_rate: float = 0.0,
        throttle_rate: float = 0.0,
        seed: int | None = None,
    ) -> Iterator[moto_faults.Faults]:
        """Within the block the journey table refuses as DynamoDB does under load (local/moto_faults.py):
        transactions naming an item another wrote less than `window` s ago, and a `conflict_rate` share
        of all, cancel with TransactionConflict; a `throttle_rate` share of requests is throttled."""
        table = self.deployed.global_environment["TABLE_NAME"]
        with moto_faults.injected(
            window=window, conflict_rate=conflict_rate, throttle_rate=throttle_rate, seed=seed, tables={table}
        ) as faults:
            yield faults

    def _buckets(self) -> list[str]:
        return [self.deployed.ref(i) for i, kind in self.deployed.types.items() if kind == "AWS::S3::Bucket"]

    # ------------------------------------------------------------------ environment

    def _aws_env(self) -> dict[str, str | None]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",  # nosec B105 - moto's fake credentials
            "AWS_SESSION_TOKEN": None,
            "AWS_SECURITY_TOKEN": None,
            "AWS_PROFILE": None,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }

    def _service_env(self) -> dict[str, str | None]:
        env: dict[str, str | None] = dict(self.deployed.global_environment)
        env.update(
            {
                "VERIFY_TOKENS_LOCALLY": "true",
                "SECURE_COOKIES": "false",
                "JWKS_URL": self.jwks_url,
                "PUBLIC_BASE_URL": self.base_url,
            }
        )
        return env

    def _set_env(self, values: dict[str, str | None]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    @staticmethod
    def _forget_cached_settings() -> None:
        # The product caches per process what it builds from its environment: settings, boto3 clients,
        # the journey store (bound to a table name), the signing key's public half. Each must see this
        # stack's (a store cached by an earlier test in the process wrote to that test's table).
        try:
            from odvalidation.dal import clients, signing
            from odvalidation.dal.store import store
            from odvalidation.settings import settings
        except ImportError:
            return
        settings.cache_clear()
        clients.reset()
        store.cache_clear()
        signing.reset()

    def _moto_api(self, path: str, body: dict[str, Any] | None) -> None:
        request = urllib.request.Request(
            f"{self.endpoint_url}/moto-api/{path}",
            data=json.dumps(body).encode() if body is not None else b"",
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    # ------------------------------------------------------------------ schedules and the clock

    def fire_due_schedules(self) -> list[FiredSchedule]:
        """Fire every schedule in the template's group whose at(...) time is due by the product clock.

        Each is deleted, then its target invoked (deleting first keeps a handler free to create a
        new schedule under the same name). rate() and cron() schedules are not fired locally.
        """
        from odvalidation import clock

        with self._fire_lock:
            scheduler = self.client("scheduler")
            group = self.deployed.global_environment["SCHEDULER_GROUP"]
            now = clock.now()
            fired: list[FiredSchedule] = []
            gone = scheduler.exceptions.ResourceNotFoundException
            due_now: list[tuple[datetime, dict[str, Any]]] = []
            for schedule in self._schedules_in(group):
                due = self._due_time(schedule)
                if due is None or schedule.get("State") == "DISABLED" or due > now:
                    continue
                due_now.append((due, schedule))
            # In the order they fall due, as in AWS: a 30-day reminder before the deadline it warns of.
            for due, schedule in sorted(due_now, key=lambda pair: (pair[0], pair[1]["Name"])):
                try:
                    # A handler may delete a schedule meanwhile (a reminder cancelled): then it never fires.
                    scheduler.delete_schedule(GroupName=group, Name=schedule["Name"])
                except gone:
                    continue
                target = schedule["Target"]
                # Scheduler calls the target as the schedule's role: it must grant the target's action.
                with iam.acting_as(iam.Principal(target.get("RoleArn", ""), "scheduler", "scheduler")):
                    error = self._fire_target(target["Arn"], target.get("Input") or "{}")
                result = FiredSchedule(name=schedule["Name"], target_arn=target["Arn"], due=due, error=error)
                if error:
                    log.error("schedule %s failed: %s", schedule["Name"], error)
                fired.append(result)
            self.fired.extend(fired)
            return fired

    @staticmethod
    def _schedules_in(group: str) -> list[dict[str, Any]]:
        """The group's schedules, shaped as GetSchedule answers, read from moto's state in this process.

        Asking the API would take one ListSchedules and one GetSchedule per schedule on every tick:
        with a reminder or two left per journey, a national cohort's worth of schedules made each
        tick thousands of requests. Reading the state is one pass in memory.
        """
        from moto.scheduler.models import scheduler_backends

        groups = scheduler_backends[ACCOUNT_ID][REGION].schedule_groups
        schedules = list(groups[group].schedules.values()) if group in groups else []
        return [
            {
                "Name": s.name,
                "ScheduleExpression": s.schedule_expression,
                "ScheduleExpressionTimezone": s.schedule_expression_timezone,
                "State": s.state,
                "Target": dict(s.target),
            }
            for s in schedules
        ]

    @staticmethod
    def _due_time(schedule: dict[str, Any]) -> datetime | None:
        match = _AT.match(schedule.get("ScheduleExpression", ""))
        if not match:
            return None
        zone = ZoneInfo(schedule.get("ScheduleExpressionTimezone") or "UTC")
        return datetime.fromisoformat(match.group(1)).replace(tzinfo=zone)

    def _fire_target(self, arn: str, payload: str) -> str | None:
        """Invoke a schedule's target as Scheduler would; return an error message, or None."""
        try:
            if arn.startswith("arn:aws:lambda:"):
                response = self.client("lambda").invoke(FunctionName=arn, Payload=payload.encode())
                if response.get("FunctionError"):
                    return str(response["Payload"].read().decode())
            elif ":stateMachine:" in arn:
                self.client("stepfunctions").start_execution(stateMachineArn=arn, input=payload)
            elif arn.startswith("arn:aws:scheduler:::aws-sdk:sfn:"):
                # Scheduler's universal target: the Input is the API call's parameters.
                operation = re.sub(r"(?<!^)(?=[A-Z])", "_", arn.rsplit(":", 1)[1]).lower()
                getattr(self.client("stepfunctions"), operation)(**json.loads(payload))
            else:
                return f"the local scheduler cannot fire targets like {arn}"
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return None

    def _fire_loop(self) -> None:
        while not self._stop.wait(self._fire_every or 1.0):
            try:
                self.fire_due_schedules()
            except Exception:
                log.exception("firing due schedules failed")

    def advance_clock(self, days: float = 0, hours: float = 0, minutes: float = 0) -> list[FiredSchedule]:
        """Move the product clock forward, then fire what has become due."""
        from odvalidation import clock

        clock.advance(timedelta(days=days, hours=hours, minutes=minutes))
        return self.fire_due_schedules()

    # ------------------------------------------------------------------ email

    def sent_emails(self) -> list[SentEmail]:
        """Every email SES accepted, oldest first (read from moto's SES backend in this process)."""
        return mailbox.sent_emails()

    def wait_for_email(
        self, to: str, containing: str, within: float = 15.0, body_containing: str = ""
    ) -> list[str]:
        """The subjects of every email to `to`, once one of them contains `containing` (and, if given,
        has `body_containing` in its body).

        The workflow emails after it records a stage (a lapse is recorded, then the practitioner told),
        so a caller that has seen the stage waits here for the email rather than racing it.
        """
        deadline = time.monotonic() + within
        while True:
            mails = [m for m in self.sent_emails() if to in m.to]
            subjects = [m.subject for m in mails]
            if any(containing in m.subject and body_containing in m.body for m in mails):
                return subjects
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"no email to {to} about {containing!r} within {within} s; it has {subjects}"
                )
            time.sleep(0.1)

    # ------------------------------------------------------------------ people

    def create_user(
        self,
        email: str,
        name: str,
        groups: list[str],
        password: str,
        attributes: dict[str, str] | None = None,
    ) -> DemoUser:
        """Create a confirmed user with a permanent password in the given groups.

        attributes are Cognito attributes; names other than standard ones get the "custom:" prefix.
        """
        idp = self.client("cognito-idp")
        attrs = {"email": email, "name": name, "email_verified": "true"}
        for key, value in (attributes or {}).items():
            if key in _STANDARD_ATTRIBUTES or key.startswith("custom:"):
                attrs[key] = value
            else:
                attrs[f"custom:{key}"] = value
        idp.admin_create_user(
            UserPoolId=self.user_pool_id,
            Username=email,
            UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(
            UserPoolId=self.user_pool_id, Username=email, Password=password, Permanent=True
        )
        for group in groups:
            idp.admin_add_user_to_group(UserPoolId=self.user_pool_id, Username=email, GroupName=group)
        user = DemoUser(
            email=email, name=name, groups=list(groups), password=password, attributes=dict(attributes or {})
        )
        self.demo_users[email.lower()] = user
        return user

    def tokens_for(self, email: str, password: str | None = None) -> dict[str, str]:
        """IdToken, AccessToken and RefreshToken for a user (a demo user's own password by default)."""
        if password is None:
            user = self.demo_users.get(email.lower())
            if user is None:
                raise KeyError(f"{email} is not a demo user of this stack; give the password")
            password = user.password
        result = self.client("cognito-idp").initiate_auth(
            ClientId=self.user_pool_client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": password},
        )["AuthenticationResult"]
        return {k: str(result[k]) for k in ("IdToken", "AccessToken", "RefreshToken") if k in result}

    def token_for(self, email: str, password: str | None = None) -> str:
        """The ID token (what the API's Cognito authorizer accepts) for a user."""
        return self.tokens_for(email, password)["IdToken"]


_shared: LocalStack | None = None
_shared_lock = threading.Lock()


def shared_stack() -> LocalStack:
    """This process's LocalStack, started on free ports the first time (for test fixtures)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = LocalStack().start()
            atexit.register(stop_shared_stack)
        return _shared


def stop_shared_stack() -> None:
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.stop()
            _shared = None
