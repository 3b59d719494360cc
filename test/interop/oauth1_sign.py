#!/usr/bin/python3
"""Signs one request with python oauthlib (Debian python3-oauthlib) and prints the Authorization header.

Usage: oauth1_sign.py '<json>' with url, method, consumerKey, consumerSecret, token, tokenSecret,
signatureMethod, nonce, timestamp and optionally realm and formBody (sent as
application/x-www-form-urlencoded). oauthlib always sends oauth_version="1.0".
"""
import json
import sys

from oauthlib.oauth1 import Client


def main() -> None:
    spec = json.loads(sys.argv[1])
    client = Client(
        spec["consumerKey"],
        client_secret=spec["consumerSecret"],
        resource_owner_key=spec["token"],
        resource_owner_secret=spec["tokenSecret"],
        signature_method=spec["signatureMethod"],
        realm=spec.get("realm"),
        nonce=spec["nonce"],
        timestamp=str(spec["timestamp"]),
    )
    body = spec.get("formBody")
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    _, signed_headers, _ = client.sign(spec["url"], http_method=spec["method"], body=body, headers=headers)
    print(json.dumps({"authorization": signed_headers["Authorization"]}))


if __name__ == "__main__":
    main()
