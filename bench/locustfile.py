"""Locust: customers posting messages to a running Warmline at a fixed arrival rate.

Each simulated customer sends one request per second (`constant_throughput(1)`), so the
arrival rate is the number of users per second whatever the latency: a new conversation
every six messages, and one read of the conversation (what a console does) for every
nine messages posted. Run through `make load` (bench/load.py starts the server), or by
hand against any server:

    .venv/bin/locust -f bench/locustfile.py --headless -u 50 -r 10 -t 2m \\
        --host http://127.0.0.1:8000
"""

from __future__ import annotations

import itertools
import uuid

from locust import HttpUser, constant_throughput, task

TEXTS = (
    "Hi, where is my order #10432? It was supposed to arrive yesterday.",
    "Can you tell me your return policy for kitchen items?",
    "I would like a refund for the blender, it stopped working.",
    "This is the third time the lid has broken!!",
    "Thanks, that helps.",
    "Can I change the delivery address on my order?",
    "Do you price match other shops?",
    "I want to talk to a human please",
    "How long does shipping to Germany take?",
)
_counter = itertools.count()


class Customer(HttpUser):
    wait_time = constant_throughput(1)  # one request per user per second: a fixed rate

    def on_start(self) -> None:
        self.client.headers["Authorization"] = "Bearer load-admin-token"
        self._new_conversation()

    def _new_conversation(self) -> None:
        self.conversation = f"load-{uuid.uuid4().hex[:12]}"
        self.sent = 0

    @task(9)
    def post_message(self) -> None:
        if self.sent >= 6:
            self._new_conversation()
        n = next(_counter)
        self.client.post(f"/v1/conversations/{self.conversation}/messages",
                         json={"message_id": f"{self.conversation}-{self.sent}",
                               "text": TEXTS[n % len(TEXTS)]},
                         name="POST /v1/conversations/{id}/messages")
        self.sent += 1

    @task(1)
    def read_conversation(self) -> None:
        if self.sent:
            self.client.get(f"/v1/conversations/{self.conversation}",
                            name="GET /v1/conversations/{id}")
