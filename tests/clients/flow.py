"""A mobile-app style flow with Python's gql client against a running Careline server:
sign in over HTTP, list tickets, then receive a queueUpdates event over graphql-ws
(graphql-transport-ws, the token in connection_init) after a mutation.

Usage: python flow.py http://127.0.0.1:8080/graphql
Prints one JSON line with what it saw; exits non-zero on any failure.
"""

import asyncio
import json
import sys

from gql import Client, gql
from gql.transport.aiohttp import AIOHTTPTransport
from gql.transport.websockets import WebsocketsTransport

LOGIN = gql(
    """mutation SignIn($email: String!, $password: String!) {
         login(email: $email, password: $password) { accessToken }
       }"""
)
TICKETS = gql("query Tickets { tickets(first: 5) { totalCount edges { node { number status } } } }")
CREATE = gql(
    """mutation Intake($input: CreateTicketInput!) {
         createTicket(input: $input) { number }
       }"""
)
LIVE = gql("subscription Live { queueUpdates { kind ticket { number status } } }")


async def main(url: str) -> None:
    async with Client(transport=AIOHTTPTransport(url=url)) as anonymous:
        signed_in = await anonymous.execute(
            LOGIN,
            variable_values={
                "email": "supervisor.a@careline.example",
                "password": "careline-demo-2026",
            },
        )
    token = signed_in["login"]["accessToken"]
    http = AIOHTTPTransport(url=url, headers={"Authorization": f"Bearer {token}"})
    async with Client(transport=http) as session:
        tickets = await session.execute(TICKETS)
        ws = WebsocketsTransport(
            url=url.replace("http", "ws", 1),
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            init_payload={"token": token},
        )
        async with Client(transport=ws) as live:
            events = live.subscribe(LIVE)
            next_event = asyncio.ensure_future(events.__anext__())
            await asyncio.sleep(0.5)  # the subscription is registered
            created = await session.execute(
                CREATE,
                variable_values={
                    "input": {
                        "kind": "INQUIRY",
                        "channel": "MOBILE_APP",
                        "subject": "Asked from Python",
                        "description": "Where is my parcel?",
                        "customer": {"name": "Zhao Min", "phone": "13900000009"},
                    }
                },
            )
            number = created["createTicket"]["number"]

            async def ours():
                event = await next_event
                while event["queueUpdates"]["ticket"]["number"] != number:
                    event = await events.__anext__()
                return event

            event = await asyncio.wait_for(ours(), timeout=10)
    print(
        json.dumps(
            {
                "tickets": tickets["tickets"]["totalCount"],
                "created": created["createTicket"]["number"],
                "event": event["queueUpdates"],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
