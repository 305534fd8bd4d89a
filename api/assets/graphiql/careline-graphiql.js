// Careline's GraphiQL: queries and mutations over HTTP, subscriptions over graphql-ws
// (graphql-transport-ws). Sign in with the `login` mutation, then put
// {"Authorization": "Bearer <accessToken>"} in the Headers tab: HTTP requests send it, and the
// WebSocket sends the same token in `connection_init` (GraphiQL keeps the headers in
// localStorage under `graphiql:headers`).
(function () {
  "use strict";
  var http = new URL("/graphql", window.location.href).href;
  var ws = http.replace(/^http/, "ws");

  function token() {
    try {
      var headers = JSON.parse(localStorage.getItem("graphiql:headers") || "{}");
      var value = headers.Authorization || headers.authorization || "";
      return String(value).replace(/^Bearer\s+/i, "").trim();
    } catch (e) {
      return "";
    }
  }

  var wsClient = graphqlWs.createClient({
    url: ws,
    lazy: true,
    connectionParams: function () {
      var t = token();
      return t ? { token: t } : {};
    },
  });
  var fetcher = GraphiQL.createFetcher({ url: http, wsClient: wsClient });
  var defaultQuery =
    "# Sign in, copy accessToken into the Headers tab as\n" +
    '# {"Authorization": "Bearer <accessToken>"}, then run the other operations.\n' +
    "mutation SignIn {\n" +
    '  login(email: "supervisor.a@careline.example", password: "careline-demo-2026") {\n' +
    "    accessToken\n" +
    "  }\n" +
    "}\n\n" +
    "query Queue {\n" +
    "  queue {\n" +
    "    waiting\n" +
    "    tickets(first: 10) { nodes { number subject status priority } }\n" +
    "  }\n" +
    "}\n\n" +
    "subscription Live {\n" +
    "  queueUpdates { kind ticket { number status } }\n" +
    "}\n";
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: '{\n  "Authorization": "Bearer "\n}',
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
    })
  );
})();
