"""The in-house digest: header parsing and the RFC examples."""

from __future__ import annotations

import pytest

from custom_components.acs_bridge.adapters.exceptions import AcsNotSupportedError
from custom_components.acs_bridge.adapters.hikvision_isapi.digest import (
    DigestAuth,
    DigestChallenge,
    parse_challenges,
    parse_digest,
)


def params(header: str) -> dict[str, str]:
    [(scheme, values)] = parse_challenges([header])
    assert scheme == "digest"
    return values


def test_parse_hikvision_challenge() -> None:
    challenge = parse_digest(
        ['Digest qop="auth", realm="DS-K1T341AMF", nonce="NmE4Y2Q=", stale="FALSE"']
    )
    assert challenge == DigestChallenge(
        realm="DS-K1T341AMF", nonce="NmE4Y2Q=", qop=("auth",), stale=False
    )
    assert parse_digest(['Digest realm="r", nonce="n", stale=TRUE']).stale  # type: ignore[union-attr]


def test_parse_quoted_strings_several_challenges_and_headers() -> None:
    found = parse_challenges(
        [
            'Basic realm="x, y", Digest realm="a \\"quoted\\" realm", nonce="n,1", '
            'qop="auth,auth-int", opaque=abc, algorithm=MD5-sess',
            "Negotiate abc==",
        ]
    )
    assert [scheme for scheme, _ in found] == ["basic", "digest", "negotiate"]
    digest = parse_digest(
        [
            'Basic realm="x, y", Digest realm="a \\"quoted\\" realm", nonce="n,1", qop="auth,auth-int", opaque=abc, algorithm=MD5-sess'
        ]
    )
    assert digest == DigestChallenge(
        realm='a "quoted" realm',
        nonce="n,1",
        qop=("auth", "auth-int"),
        algorithm="MD5-SESS",
        opaque="abc",
    )
    assert parse_digest(["Basic realm=x"]) is None
    assert parse_digest(['Digest realm="no nonce"']) is None
    assert parse_digest(['Digest realm="unterminated, nonce="n']) is None


def test_rfc2617_example() -> None:
    auth = DigestAuth("Mufasa", "Circle Of Life", cnonce=lambda: "0a4f113b")
    auth.accept(
        DigestChallenge(
            realm="testrealm@host.com",
            nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
            qop=("auth", "auth-int"),
            opaque="5ccc069c403ebaf9f0171e9517f40e41",
        )
    )
    header = auth.authorization("GET", "/dir/index.html")
    values = params(header)
    assert values["response"] == "6629fae49393a05397450978507c4ef1"
    assert values["nc"] == "00000001"
    assert values["opaque"] == "5ccc069c403ebaf9f0171e9517f40e41"
    assert values["qop"] == "auth"
    assert params(auth.authorization("GET", "/dir/index.html"))["nc"] == "00000002"


@pytest.mark.parametrize(
    ("algorithm", "response"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_rfc7616_examples(algorithm: str, response: str) -> None:
    auth = DigestAuth(
        "Mufasa",
        "Circle of Life",
        cnonce=lambda: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    )
    auth.accept(
        DigestChallenge(
            realm="http-auth@example.org",
            nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            qop=("auth", "auth-int"),
            algorithm=algorithm,
            opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
        )
    )
    assert params(auth.authorization("GET", "/dir/index.html"))["response"] == response


def test_new_nonce_restarts_the_count_and_sess_and_legacy_modes() -> None:
    auth = DigestAuth("u", "p", cnonce=lambda: "c")
    auth.accept(DigestChallenge(realm="r", nonce="n1", qop=("auth",)))
    auth.authorization("GET", "/")
    auth.accept(DigestChallenge(realm="r", nonce="n1", qop=("auth",), stale=True))
    assert auth.nonce_count == 1  # same nonce: the count goes on
    auth.accept(DigestChallenge(realm="r", nonce="n2", qop=("auth",)))
    assert params(auth.authorization("GET", "/"))["nc"] == "00000001"
    auth.accept(DigestChallenge(realm="r", nonce="n3", algorithm="MD5-SESS"))
    legacy = params(auth.authorization("GET", "/"))
    assert "qop" not in legacy
    assert legacy["cnonce"] == "c"
    assert "p" not in repr(auth).replace("password", "")


@pytest.mark.parametrize(
    "challenge",
    [
        DigestChallenge(realm="r", nonce="n", algorithm="SHA-512-256"),
        DigestChallenge(realm="r", nonce="n", qop=("auth-int",)),
    ],
)
def test_unsupported_variants(challenge: DigestChallenge) -> None:
    auth = DigestAuth("u", "p")
    auth.accept(challenge)
    with pytest.raises(AcsNotSupportedError):
        auth.authorization("GET", "/")


def test_user_name_is_quoted() -> None:
    auth = DigestAuth('a"b\\c', "p", cnonce=lambda: "c")
    auth.accept(DigestChallenge(realm="r", nonce="n", qop=("auth",)))
    assert params(auth.authorization("GET", "/"))["username"] == 'a"b\\c'
