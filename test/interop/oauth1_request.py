#!/usr/bin/python3
"""Sends one OAuth 1.0a-signed request with python requests-oauthlib (Debian python3-requests-oauthlib).

Usage: oauth1_request.py '<json>' where the JSON names url, method, consumerKey, consumerSecret,
token, tokenSecret, and optionally realm, signatureMethod (default HMAC-SHA256), form (list of
[name, value] pairs sent as an application/x-www-form-urlencoded body), json (a value sent as an
application/json body, which the client covers with oauth_body_hash), nonce and timestamp.
Prints {"status", "headers", "body"} as JSON.
"""
import json
import sys

import requests
from requests_oauthlib import OAuth1


def main() -> None:
    spec = json.loads(sys.argv[1])
    extra = {}
    if spec.get("realm") is not None:
        extra["realm"] = spec["realm"]
    if spec.get("nonce") is not None:
        extra["nonce"] = spec["nonce"]
    if spec.get("timestamp") is not None:
        extra["timestamp"] = str(spec["timestamp"])
    auth = OAuth1(
        spec["consumerKey"],
        client_secret=spec["consumerSecret"],
        resource_owner_key=spec["token"],
        resource_owner_secret=spec["tokenSecret"],
        signature_method=spec.get("signatureMethod", "HMAC-SHA256"),
        # Only then does the client sign a non-form body (with oauth_body_hash).
        force_include_body="json" in spec,
        **extra,
    )
    form = spec.get("form")
    data = [tuple(pair) for pair in form] if form is not None else None
    headers = {}
    if "json" in spec:
        data = json.dumps(spec["json"])
        headers["Content-Type"] = "application/json"
    response = requests.request(spec["method"], spec["url"], data=data, headers=headers, auth=auth, timeout=10)
    authorization = response.request.headers.get("Authorization")
    if isinstance(authorization, bytes):
        authorization = authorization.decode("ascii")
    print(json.dumps({
        "status": response.status_code,
        "headers": {name.lower(): value for name, value in response.headers.items()},
        "authorization": authorization,
        "body": response.text,
    }))


if __name__ == "__main__":
    main()
