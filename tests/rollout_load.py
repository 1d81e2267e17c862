"""Steady load on `POST /api/v1/predict` while a model is rolled out, for the roll-out tests of
tests/served/ and tests/deploy/ (docs/spec.md#104-a-new-model-without-downtime): every answer's
status and model version, and the rate the server kept up.

Each request has its time on a fixed schedule, `rate` a second. A thread that is late sends at
once: a server that stalls (its new workers loading the model) gets the requests it missed as
soon as it answers again, and the rate is measured to the last answer, so a stall that the
server does not catch up on shows as a lower rate.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from types import TracebackType
from typing import Any

SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
ANSWER_SECONDS = 60.0  # generous: a request may wait out a reload in the listen queue
SECONDS_BEFORE = 1.0  # of load before a roll-out starts; its proof (seconds) adds to it
SECONDS_AFTER = 2.0  # of load once every server answers with the new model
STORED_VERSIONS = {  # each app's stored predictions and their versions, as the tests read them back
    "flask": "SELECT id, model_version FROM prediction",
    "django": "SELECT id, model_version FROM predictions_prediction",
}


@dataclass(frozen=True)
class Answer:
    """One request's outcome: its status (0: no answer, `error` says why) and, for a stored
    prediction, its id and the model version that made it."""

    status: int
    id: int | None = None
    version: str | None = None
    error: str = ""


class Load:
    """`with Load(url, rate) as load:` sends predictions until the block ends, then waits for
    the last answers; `load.answers` and `load.rate` tell how it went."""

    def __init__(
        self,
        url: str,
        rate: float,
        threads: int = 32,
        context: ssl.SSLContext | None = None,
    ) -> None:
        self.url, self.interval, self.context = url, 1 / rate, context
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._sent = 0
        self._started = self._stopped = self._finished = 0.0
        self._threads = [threading.Thread(target=self._send) for _ in range(threads)]

    def __enter__(self) -> Load:
        self._started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stopped = time.monotonic()
        for thread in self._threads:
            thread.join()
        self._finished = time.monotonic()

    @property
    def rate(self) -> float:
        """Answers a second, from the first request to the last answer."""
        return len(self.answers) / (self._finished - self._started)

    def statuses(self) -> dict[int, int]:
        """How many answers had each status (0: none came)."""
        return dict(Counter(answer.status for answer in self.answers))

    def failures(self) -> list[Answer]:
        """The answers other than 201 (a failed test shows them)."""
        return [answer for answer in self.answers if answer.status != 201]

    def _send(self) -> None:
        body = json.dumps({"features": SETOSA}).encode()
        while True:
            with self._lock:
                due = self._started + self._sent * self.interval
                self._sent += 1
            if self._after_stop(due):
                return
            time.sleep(max(0.0, due - time.monotonic()))
            if self._after_stop(due):  # stopped while this thread waited for its time
                return
            answer = self._post(body)
            with self._lock:
                self.answers.append(answer)

    def _after_stop(self, due: float) -> bool:
        return bool(self._stopped) and due >= self._stopped

    def _post(self, body: bytes) -> Answer:
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(self.url, body, headers, method="POST")
        try:
            with urllib.request.urlopen(
                request, timeout=ANSWER_SECONDS, context=self.context
            ) as response:
                payload: Any = json.loads(response.read())
                return Answer(response.status, payload["id"], payload["model"]["version"])
        except urllib.error.HTTPError as error:
            return Answer(error.code, error=error.read()[:300].decode(errors="replace"))
        except OSError as error:
            return Answer(0, error=str(error))
