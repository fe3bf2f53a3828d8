#!/usr/bin/env python3
"""
freqtrade's consumer logic, for ft-edge's benches to measure beside the daemon on the same stream (issue 14).
Written for these benches from what freqtrade's ExternalMessageConsumer, its websocket serializer and DataProvider
do (not their code): each message through rapidjson with an object hook that turns a {"__type__": "dataframe"}
wrapper into pandas.read_json(orient="split") with dates as UTC datetimes; a frame of 100 rows or more replaces the
key's dataframe, a shorter one is appended after dropping held rows not older than its first, keeping 1500.
No pydantic validation, strategy, database or API: what remains is the part ft-edge does natively.

usage: freqtrade-consumer.py URL REQUESTS_JSON KEYS
Sends the requests (a JSON list of texts) once connected, then prints "stored" when KEYS keys are held, and
"round N" after each N-th append round (every key appended once more), until the connection closes.
"""
import asyncio
import json
import sys
from io import StringIO

import pandas as pd
import rapidjson
import websockets

FULL = 100
HELD = 1500
frames = {}


def to_dataframe(text):
    df = pd.read_json(StringIO(text), orient="split")
    if "date" in df.columns:
        df["date"] = pd.to_datetime(df["date"], unit="ms", utc=True)
    return df


def hook(obj):
    return to_dataframe(obj.get("__value__")) if obj.get("__type__") == "dataframe" else obj


def take(msg):
    """Stores an analyzed_df's frame; True when it was appended to a held one."""
    if not isinstance(msg, dict) or msg.get("type") != "analyzed_df" or not msg.get("data"):
        return False
    key = tuple(msg["data"]["key"])
    df = msg["data"]["df"]
    if df.empty:
        return False
    if len(df) >= FULL or key not in frames:
        frames[key] = df
        return False
    held = frames[key]
    held = held[held["date"] < df["date"].iloc[0]]
    held = df if held.empty else pd.concat([held, df])
    frames[key] = held[-HELD:].reset_index(drop=True)
    return True


async def main(url, requests, keys):
    async with websockets.connect(url, max_size=None, ping_interval=None, compression=None) as ws:
        for r in requests:
            await ws.send(r)
        stored = False
        appends = 0
        async for text in ws:
            if take(rapidjson.loads(text, object_hook=hook)):
                appends += 1
                if appends % keys == 0:
                    print(f"round {appends // keys}", flush=True)
            if not stored and len(frames) == keys:
                stored = True
                print("stored", flush=True)


asyncio.run(main(sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])))
