// The SPA flow of apollo.mjs, in a browser page: Apollo Client with an HTTP link for queries and
// mutations and a graphql-ws link for subscriptions (split by operation), the token in the
// Authorization header and in connection_init. Signs in, lists tickets, subscribes to
// queueUpdates, creates a ticket and waits for its event. Bundled with esbuild (from
// package-lock.json) by tests/tests/browser.rs, which serves it with index.html.
// The page reads the GraphQL endpoint from ?endpoint=…, writes what it saw into #result and
// POSTs the same JSON to /result on the page's own origin.
import { ApolloClient, HttpLink, InMemoryCache, gql, split } from "@apollo/client/core";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { createClient } from "graphql-ws";

const endpoint = new URLSearchParams(window.location.search).get("endpoint");

async function flow() {
  let token = "";
  const http = new HttpLink({
    uri: endpoint,
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      }),
  });
  const wsClient = createClient({
    url: endpoint.replace(/^http/, "ws"),
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
  let expected = null;
  let resolveOurs;
  let rejectOurs;
  const ours = new Promise((resolve, reject) => {
    resolveOurs = resolve;
    rejectOurs = reject;
  });
  let acknowledged;
  const connected = new Promise((resolve) => (acknowledged = resolve));
  wsClient.on("connected", () => acknowledged());
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
      error: (error) => rejectOurs(error),
    });
  await connected;
  // The subscribe message follows the ack; give the server a moment to register it.
  await new Promise((resolve) => setTimeout(resolve, 500));

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
        subject: "Asked from a browser",
        description: "Where is my parcel?",
        customer: { name: "Qian Lei", phone: "13900000009" },
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
  return {
    userAgent: navigator.userAgent,
    tickets: tickets.data.tickets.totalCount,
    firstTicket: tickets.data.tickets.edges[0]?.node.number ?? null,
    created: expected,
    event,
  };
}

async function report(result) {
  document.getElementById("result").textContent = JSON.stringify(result);
  await fetch("/result", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(result),
  });
}

flow().then(report, (error) => report({ error: String(error?.stack ?? error) }));
