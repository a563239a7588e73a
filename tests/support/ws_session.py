"""One WebSocket session for the tests, with python3-websockets (an
independent client): connect, send what the spec says, collect messages,
print one JSON object with them and how the connection closed.

Spec (argv[1], JSON): url; headers: {name: value} to add to the upgrade;
send: [{"text": …} | {"hex": …}];
expect: stop after this many messages and close (default: read to the end);
expect_bytes: stop once binary messages hold this many bytes and close;
pause: seconds to wait between sends; timeout: seconds per message.
"""
import asyncio
import json
import sys

import websockets


async def session(spec):
    out = {"messages": [], "code": None, "reason": None, "error": None}
    ws = None
    try:
        ws = await websockets.connect(spec["url"], open_timeout=10,
                                      extra_headers=spec.get("headers", {}))
        for message in spec.get("send", []):
            await ws.send(bytes.fromhex(message["hex"]) if "hex" in message
                          else message["text"])
            await asyncio.sleep(spec.get("pause", 0))
        expect = spec.get("expect")
        expect_bytes = spec.get("expect_bytes")
        got_bytes = 0
        while True:
            if expect is not None and len(out["messages"]) >= expect:
                break
            if expect_bytes is not None and got_bytes >= expect_bytes:
                break
            msg = await asyncio.wait_for(ws.recv(), spec.get("timeout", 15))
            if isinstance(msg, str):
                out["messages"].append({"text": msg})
            else:
                got_bytes += len(msg)
                out["messages"].append({"hex": msg.hex()})
        await ws.close()
    except websockets.ConnectionClosed:
        pass
    except Exception as err:  # reported, so the test says what went wrong
        out["error"] = f"{type(err).__name__}: {err}"
        if ws is not None:
            await ws.close()
    if ws is not None:
        try:
            await asyncio.wait_for(ws.wait_closed(), 10)
        except asyncio.TimeoutError:
            out["error"] = out["error"] or "no close within 10 s"
        out["code"], out["reason"] = ws.close_code, ws.close_reason
    return out


print(json.dumps(asyncio.run(session(json.loads(sys.argv[1])))))
