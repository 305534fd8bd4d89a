// A file upload as SPAs and React Native apps send it: Apollo Client with apollo-upload-client's
// createUploadLink (a GraphQL multipart request), then the file fetched back from its signed
// link. Signs in as the demo customer Li Lei.
// Usage: node upload.mjs http://127.0.0.1:8080/graphql
// Prints one JSON line with what it saw; exits non-zero on any failure.
import { createHash } from "node:crypto";
import apollo from "@apollo/client/core/core.cjs";
import createUploadLink from "apollo-upload-client/createUploadLink.mjs";

const { ApolloClient, InMemoryCache, gql } = apollo;
const url = process.argv[2];
if (!url) {
  console.error("usage: node upload.mjs <graphql url>");
  process.exit(2);
}

let token = "";
const client = new ApolloClient({
  link: createUploadLink({
    uri: url,
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      }),
  }),
  cache: new InMemoryCache(),
});

const signedIn = await client.mutate({
  mutation: gql`
    mutation SignIn($email: String!, $password: String!) {
      login(email: $email, password: $password) {
        accessToken
      }
    }
  `,
  variables: { email: "li.lei@example.com", password: "careline-demo-2026" },
});
token = signedIn.data.login.accessToken;

// A 1×1 PNG.
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);
const uploaded = await client.mutate({
  mutation: gql`
    mutation Upload($file: Upload!) {
      uploadFile(file: $file) {
        id
        fileName
        contentType
        sizeBytes
        sha256
        url
      }
    }
  `,
  variables: { file: new File([png], "pixel.png", { type: "image/png" }) },
});
const file = uploaded.data.uploadFile;
const response = await fetch(new URL(file.url, url));
const body = Buffer.from(await response.arrayBuffer());
const downloaded = createHash("sha256").update(body).digest("hex");
console.log(JSON.stringify({ file, status: response.status, downloaded }));
process.exit(0);
