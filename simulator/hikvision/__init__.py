"""A simulator of a Hikvision ISAPI access-control device (DS-K1T / DS-K26xx).

Run it with ``python -m simulator.hikvision --host 127.0.0.1 --port 8080
[--demo]`` (``--help`` lists the options), or in a test::

    sim = HikSimulator(HikConfig(doors=2))
    await sim.start()          # sim.url, e.g. http://127.0.0.1:41234
    ...
    await sim.stop()           # open alert streams end

It speaks HTTP Digest (MD5, qop="auth") with the device's lock-out, and serves
``/ISAPI/System/deviceInfo``, ``/ISAPI/Security/illegalLoginLock``,
``/ISAPI/AccessControl/{capabilities, RemoteControl/door/capabilities,
RemoteControl/door/<n> (PUT), AcsEvent/capabilities, AcsEvent (POST),
AcsEventTotalNum (POST), Door/param/<n>, AcsWorkStatus, UserInfo/Search (POST),
UserInfo/Count, CardInfo/Search (POST)}`` and the multipart
``/ISAPI/Event/notification/alertStream``. Time: ``sim.advance(seconds)``
moves the monotonic and wall clocks together and runs relocks and heartbeats
that became due; ``base_clock``/``base_wall`` may be replaced.

Control API (no authentication, JSON bodies; 400/404 with ``{"error"}``):

- ``POST /_sim/swipe`` ``{door=1, method=card|card_password|face|fingerprint|
  password|qr, granted=true, employee_no?, card_no?, minor?, reader=1}``:
  the access event (refused: the method's refusal minor; a face event carries a
  picture); granted unlocks the door (5/21) and relocks after openDuration (5/22).
- ``POST /_sim/door/contact`` ``{door, open, forced=false}``: 5/25 or 5/26 (+5/27).
- ``POST /_sim/door/event`` ``{door, kind=opened|closed|forced|held_open|
  doorbell|exit_button}``.
- ``POST /_sim/tamper`` ``{reader=false, active=true}``: 1/1028..1031.
- ``POST /_sim/duress`` ``{door=1, employee_no?}``: 1/1034.
- ``POST /_sim/event`` ``{major, minor, door=0, reader=0, card_no=""}``: any code.
- ``POST /_sim/fault`` ``{kind, count?, path?, delay?, http_status?,
  status_code?, sub_status?}``; kinds: ``busy`` (503 + statusCode 2
  deviceBusy), ``status`` (200 with statusCode != 1), ``html``, ``http500``,
  ``malformed_json``, ``xml_for_json``, ``unauthorized`` (401 for a missing
  permission, not counted), ``forbidden`` (403 lowPrivilege), ``slow``,
  ``timeout`` (hangs), ``drop``. Faults act after authentication; ``path`` is a
  prefix after ``/ISAPI/``. ``POST /_sim/faults/clear`` (also un-stalls streams).
- ``POST /_sim/stream/{drop, stall, resume, truncate, malformed, heartbeat}``:
  act on every open stream (stall = TCP open, nothing sent, events meanwhile
  lost from the stream); ``GET /_sim/streams``.
- ``GET /_sim/log``, ``GET /_sim/events?since=<serial>``;
  ``POST /_sim/log/restart`` ``{drop_streams=true}`` (serial restart);
  ``POST /_sim/log/fill`` ``{count=capacity}`` (routine events: the log wraps).
- ``GET /_sim/auth``; ``POST /_sim/auth/reset``, ``/_sim/auth/lock``
  ``{seconds?}``, ``/_sim/auth/expire_nonces``.
- ``POST /_sim/online`` ``{online}``: offline drops streams and closes every
  ISAPI connection unanswered (the event log keeps recording).
- ``GET|POST /_sim/config``: any ``HikConfig`` field, e.g. ``doors`` (1, 2, 4),
  ``model``, ``cmd_options``, ``remote_password``, ``heartbeat_period``
  (null: none), ``history_mode`` (last|all|none), ``history_count``,
  ``serial_search``, ``unsupported_search_fields`` (reject|ignore),
  ``log_capacity``, ``boundary``, ``multipart_subtype`` (mixed|form-data),
  ``part_format`` (json|xml), ``json_tabs``, ``face_pictures``,
  ``stream_forbidden`` (403), ``times_with_offset``, ``utc_offset_minutes``,
  ``clock_offset_seconds``, ``xml_namespace`` (isapi|hikvision),
  ``max_attempts``, ``lock_seconds``, ``lock_enabled``, ``nonce_ttl``,
  ``max_requests``/``max_streams`` (busy 503 beyond).
- ``POST /_sim/advance`` ``{seconds}``; ``POST /_sim/tick``.
- ``GET /_sim/state`` (doors, commands, tamper, people), ``GET /_sim/requests``,
  ``GET /_sim/stats``; ``POST /_sim/demo`` ``{on=true, rate=0.3}``.
"""

from .config import HikConfig
from .core import HikSimulator, RequestRecord
from .events import HikEvent

__all__ = ["HikConfig", "HikEvent", "HikSimulator", "RequestRecord"]
