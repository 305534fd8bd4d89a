// An SPA-style flow with Apollo Client: HTTP link for queries and mutations, graphql-ws link for
// subscriptions (split by operation), the token in the Authorization header and in
// connection_init. Signs in, lists tickets, then hears a queueUpdates event after a mutation.
// Usage: node apollo.mjs http://127.0.0.1:8080/graphql
// Prints one JSON line with what it saw; exits non-zero on any failure.
import apollo from "@apollo/client/core/core.cjs";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions/subscriptions.cjs";
import { getMainDefinition } from "@apollo/client/utilities/utilities.cjs";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const { ApolloClient, HttpLink, InMemoryCache, gql, split } = apollo;
const url = process.argv[2];
if (!url) {
  console.error("usage: node apollo.mjs <graphql url>");
  process.exit(2);
}

let token = "";
const http = new HttpLink({
  uri: url,
  fetch: (input, init) =>
    fetch(input, {
      ...init,
      headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }),
});
const wsClient = createClient({
  url: url.replace(/^http/, "ws"),
  webSocketImpl: WebSocket,
  connectionParams: () => ({ token }),
});
const link = split(
  ({ query }) => {
    const definition = getMainDefinition(query);
    return definition.kind === "OperationDefinition" && definition.operation === "subscription";
  },
  new GraphQLWsLink(wsClient),
  http,
);
const client = new ApolloClient({ link, cache: new InMemoryCache() });

const signedIn = await client.mutate({
  mutation: gql`
    mutation SignIn($email: String!, $password: String!) {
      login(email: $email, password: $password) {
        accessToken
      }
    }
  `,
  variables: { email: "supervisor.a@careline.example", password: "careline-demo-2026" },
});
token = signedIn.data.login.accessToken;

const tickets = await client.query({
  query: gql`
    query Tickets {
      tickets(first: 5) {
        totalCount
        edges {
          node {
            id
            number
            status
          }
        }
      }
    }
  `,
});

const heard = [];
let resolveOurs;
const ours = new Promise((resolve) => (resolveOurs = resolve));
let expected = null;
const subscription = client
  .subscribe({
    query: gql`
      subscription Live {
        queueUpdates {
          kind
          ticket {
            id
            number
            status
          }
        }
      }
    `,
  })
  .subscribe({
    next: ({ data }) => {
      heard.push(data.queueUpdates);
      if (expected && data.queueUpdates.ticket.number === expected) resolveOurs(data.queueUpdates);
    },
    error: (error) => {
      console.error("subscription failed:", error);
      process.exit(1);
    },
  });
await new Promise((resolve) => setTimeout(resolve, 500)); // the subscription is registered

const created = await client.mutate({
  mutation: gql`
    mutation Intake($input: CreateTicketInput!) {
      createTicket(input: $input) {
        id
        number
      }
    }
  `,
  variables: {
    input: {
      kind: "INQUIRY",
      channel: "WEB_FORM",
      subject: "Asked from Apollo",
      description: "Where is my parcel?",
      customer: { name: "Zhao Min", phone: "13900000008" },
    },
  },
});
expected = created.data.createTicket.number;
const already = heard.find((e) => e.ticket.number === expected);
const timeout = new Promise((_, reject) =>
  setTimeout(() => reject(new Error("no queueUpdates event within 10 s")), 10_000),
);
const event = already ?? (await Promise.race([ours, timeout]));
subscription.unsubscribe();
await wsClient.dispose();
console.log(
  JSON.stringify({
    tickets: tickets.data.tickets.totalCount,
    created: expected,
    event,
  }),
);
process.exit(0);
