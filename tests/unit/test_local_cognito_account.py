"""The local stack's Cognito answers the account-recovery calls as Cognito does (local/cognito_rules.py):
moto has no ResendConfirmationCode, and its ConfirmForgotPassword neither checks the password policy
nor hides whether an account exists (the pool's client has PreventUserExistenceErrors)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from local import cognito_rules

cognito_rules.install()
POLICY = {
    "PasswordPolicy": {
        "MinimumLength": 12,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": False,
    }
}


@pytest.fixture
def pool() -> Any:
    with mock_aws():
        c = boto3.client("cognito-idp", region_name="eu-west-2")
        pool_id = c.create_user_pool(PoolName="p", Policies=POLICY, UsernameAttributes=["email"])["UserPool"][
            "Id"
        ]
        cid = c.create_user_pool_client(
            UserPoolId=pool_id, ClientName="c", PreventUserExistenceErrors="ENABLED"
        )["UserPoolClient"]["ClientId"]
        c.sign_up(
            ClientId=cid,
            Username="a@example.org",
            Password="Abcdefghij12",
            UserAttributes=[{"Name": "email", "Value": "a@example.org"}],
        )
        yield c, cid


def _error(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    return str(caught.value.response["Error"]["Code"])


def test_resend_confirmation_code_answers_alike_for_unknown_people(pool: Any) -> None:
    c, cid = pool
    known = c.resend_confirmation_code(ClientId=cid, Username="a@example.org")["CodeDeliveryDetails"]
    unknown = c.resend_confirmation_code(ClientId=cid, Username="nobody@example.org")["CodeDeliveryDetails"]
    assert known["DeliveryMedium"] == unknown["DeliveryMedium"] == "EMAIL"
    assert known["Destination"].startswith("a***@")


def test_resend_confirmation_code_for_a_confirmed_account_is_refused(pool: Any) -> None:
    c, cid = pool
    c.confirm_sign_up(ClientId=cid, Username="a@example.org", ConfirmationCode="123456")
    assert (
        _error(c.resend_confirmation_code, ClientId=cid, Username="a@example.org")
        == "InvalidParameterException"
    )


def test_confirm_forgot_password_checks_the_password_policy_and_hides_unknown_people(pool: Any) -> None:
    c, cid = pool
    c.confirm_sign_up(ClientId=cid, Username="a@example.org", ConfirmationCode="123456")
    c.forgot_password(ClientId=cid, Username="a@example.org")
    c.forgot_password(ClientId=cid, Username="nobody@example.org")  # no error: nothing revealed
    weak = {"ClientId": cid, "Username": "a@example.org", "ConfirmationCode": "123456", "Password": "weak"}
    assert _error(c.confirm_forgot_password, **weak) == "InvalidPasswordException"
    nobody = {**weak, "Username": "nobody@example.org", "Password": "Abcdefghij99"}
    assert _error(c.confirm_forgot_password, **nobody) == "CodeMismatchException"
    c.confirm_forgot_password(**{**weak, "Password": "Abcdefghij99"})
    signed_in = c.initiate_auth(
        ClientId=cid,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "a@example.org", "PASSWORD": "Abcdefghij99"},
    )
    assert "AuthenticationResult" in signed_in
