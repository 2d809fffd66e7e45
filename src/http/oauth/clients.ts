// The MCP clients this server knows: registered dynamically (RFC 7591), or identified by a client
// ID metadata document (an https URL as client_id, fetched and checked here). Registered clients'
// secrets are sealed at rest; a document-identified client is public (PKCE, no secret).
import { lookup as dnsLookup } from "node:dns";
import { isIP } from "node:net";
import type { OAuthRegisteredClientsStore } from "@modelcontextprotocol/sdk/server/auth/clients.js";
import { InvalidClientMetadataError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import {
  type OAuthClientInformationFull,
  OAuthClientInformationFullSchema,
  OAuthClientMetadataSchema,
} from "@modelcontextprotocol/sdk/shared/auth.js";
import { loadUndici } from "../../asana/undici.js";
import { log } from "../../log.js";
import type { Keyring } from "../../store/crypto.js";
import type { JsonObject, Store } from "../../store/types.js";
import { isLoopback } from "../settings.js";
import { unavailableAsOAuth } from "../store-outage.js";

/** A registered client unused this long is forgotten (each token issued extends it). */
const CLIENT_TTL_MS = 90 * 24 * 3600_000;
/**
 * Until its first sign-in a registered client lives a day only: registration is open to anyone,
 * and clients that never sign anyone in must not pile up in the store.
 */
const UNUSED_CLIENT_TTL_MS = 24 * 3600_000;
/** A metadata document is re-fetched after this long. */
const DOCUMENT_TTL_MS = 3600_000;
const DOCUMENT_MAX_BYTES = 5 * 1024;
const MAX_DOCUMENTS = 500;
const DOCUMENT_TIMEOUT_MS = 5_000;
const SCHEMES_REFUSED = new Set(["javascript:", "data:", "file:", "vbscript:", "blob:", "about:"]);

export class ClientRegistry implements OAuthRegisteredClientsStore {
  private readonly documents = new Map<string, { client: OAuthClientInformationFull; until: number }>();
  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    /** Documents on loopback http are accepted only when this server itself runs on loopback. */
    private readonly allowLoopbackDocuments: boolean,
  ) {}

  async getClient(clientId: string): Promise<OAuthClientInformationFull | undefined> {
    return unavailableAsOAuth(async () => {
      if (clientId.length > 2048) return undefined;
      const raw = await this.store.get("client", clientId);
      if (raw) return this.decode(clientId, raw);
      if (!isDocumentUrl(clientId, this.allowLoopbackDocuments)) return undefined;
      // Documents are kept in this process's memory only (bounded): naming URLs costs nothing,
      // so what they lead to must not land in the shared store.
      const cached = this.documents.get(clientId);
      if (cached && cached.until > Date.now()) return cached.client;
      const client = await this.fetchDocument(clientId);
      this.documents.delete(clientId);
      if (client) {
        this.documents.set(clientId, { client, until: Date.now() + DOCUMENT_TTL_MS });
        while (this.documents.size > MAX_DOCUMENTS) {
          const oldest = this.documents.keys().next().value;
          if (oldest === undefined) break;
          this.documents.delete(oldest);
        }
      }
      return client;
    });
  }

  async registerClient(
    client: Omit<OAuthClientInformationFull, "client_id" | "client_id_issued_at">,
  ): Promise<OAuthClientInformationFull> {
    return unavailableAsOAuth(async () => {
      const full = client as OAuthClientInformationFull;
      checkRedirectUris(full.redirect_uris);
      await this.save(full, Date.now() + UNUSED_CLIENT_TTL_MS);
      log.info(`registered the MCP client ${JSON.stringify(full.client_name ?? full.client_id)}`);
      return full;
    });
  }

  /** Keeps a client that is in use from being forgotten. */
  async touch(clientId: string): Promise<void> {
    const raw = await this.store.get("client", clientId);
    if (raw && raw.document !== true) {
      await this.store.put("client", clientId, raw, { expiresAt: Date.now() + CLIENT_TTL_MS });
    }
  }

  private async save(client: OAuthClientInformationFull, expiresAt: number): Promise<void> {
    const { client_secret, ...rest } = client;
    const record: JsonObject = {
      ...(rest as JsonObject),
      ...(client_secret ? { client_secret_sealed: this.keyring.seal(client_secret, client.client_id) } : {}),
      document: isDocumentUrl(client.client_id, true),
    };
    await this.store.put("client", client.client_id, record, { expiresAt });
  }

  private decode(clientId: string, raw: JsonObject): OAuthClientInformationFull | undefined {
    const { client_secret_sealed, document: _document, ...rest } = raw;
    let secret: string | undefined;
    if (typeof client_secret_sealed === "string") {
      try {
        secret = this.keyring.open(client_secret_sealed, clientId);
      } catch (error) {
        log.warn(`the secret of MCP client ${clientId} cannot be opened (${(error as Error).message})`);
        return undefined;
      }
    }
    const parsed = OAuthClientInformationFullSchema.safeParse({
      ...rest,
      ...(secret ? { client_secret: secret } : {}),
    });
    return parsed.success ? parsed.data : undefined;
  }

  private agent: Promise<import("undici").Dispatcher> | undefined;

  /**
   * Fetches documents only from public addresses: every address a name resolves to is checked
   * at connection time, so a name pointing into a private network is refused too.
   */
  private documentAgent(): Promise<import("undici").Dispatcher> {
    const allowLoopback = this.allowLoopbackDocuments;
    this.agent ??= loadUndici().then(
      ({ Agent }) =>
        new Agent({
          connect: {
            lookup: (hostname, options, callback) => {
              dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
                if (error) return callback(error, "", 0);
                const list = Array.isArray(addresses) ? addresses : [];
                const usable = list.filter(
                  (a) => !isPrivateAddress(a.address) || (allowLoopback && isLoopback(hostname)),
                );
                const first = usable[0];
                if (!first) {
                  return callback(
                    Object.assign(new Error(`${hostname} resolves to a private address`), {
                      code: "EPRIVATE",
                    }),
                    "",
                    0,
                  );
                }
                if (options.all) return callback(null, usable as never, 0);
                return callback(null, first.address, first.family);
              });
            },
          },
        }),
    );
    return this.agent;
  }

  /** A client ID metadata document: https, small, its own client_id, public, sane redirect URIs. */
  private async fetchDocument(url: string): Promise<OAuthClientInformationFull | undefined> {
    try {
      const { request } = await loadUndici();
      const response = await request(url, {
        dispatcher: await this.documentAgent(),
        method: "GET",
        headers: { accept: "application/json", "user-agent": "asana-mcp" },
        headersTimeout: DOCUMENT_TIMEOUT_MS,
        bodyTimeout: DOCUMENT_TIMEOUT_MS,
        // undici's request() follows no redirect: a document must be served at its own URL.
        signal: AbortSignal.timeout(DOCUMENT_TIMEOUT_MS),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > DOCUMENT_MAX_BYTES) {
          response.body.destroy();
          throw new Error(`larger than ${DOCUMENT_MAX_BYTES} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { client_id?: unknown };
      if (body?.client_id !== url) throw new Error("its client_id is not its own URL");
      const metadata = OAuthClientMetadataSchema.parse(body);
      if (metadata.token_endpoint_auth_method && metadata.token_endpoint_auth_method !== "none") {
        throw new Error("a metadata document client must be public (token_endpoint_auth_method none)");
      }
      checkRedirectUris(metadata.redirect_uris);
      return { ...metadata, client_id: url, token_endpoint_auth_method: "none" };
    } catch (error) {
      log.warn(`the client ID metadata document ${url} is not usable: ${(error as Error).message}`);
      return undefined;
    }
  }
}

function isDocumentUrl(clientId: string, allowLoopback: boolean): boolean {
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return false;
  }
  if (url.hash || url.username || url.password || url.pathname === "/") return false;
  if (allowLoopback && url.protocol === "http:" && isLoopback(url.hostname)) return true;
  return url.protocol === "https:" && !isPrivateAddress(url.hostname);
}

/**
 * This server fetches documents on a stranger's word: never from an address literal inside a
 * private network (a name that resolves there is the network's firewall to stop).
 */
export function isPrivateAddress(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isLoopback(hostname) || host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) {
    const [a = 0, b = 0] = host.split(".").map(Number);
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (isIP(host) === 6)
    return (
      host === "::1" ||
      host === "::" ||
      /^f[cd]/.test(host) ||
      /^fe[89ab]/.test(host) ||
      host.startsWith("::ffff:")
    );
  return false;
}

/** https, loopback http (native apps, RFC 8252) or an app's private scheme; never script or data. */
function checkRedirectUris(uris: readonly string[]): void {
  if (uris.length === 0) throw new InvalidClientMetadataError("redirect_uris must name at least one URI.");
  for (const raw of uris) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new InvalidClientMetadataError(`redirect_uri ${JSON.stringify(raw)} is not a URL.`);
    }
    if (url.hash) throw new InvalidClientMetadataError(`redirect_uri ${raw} must not have a fragment.`);
    if (SCHEMES_REFUSED.has(url.protocol)) {
      throw new InvalidClientMetadataError(`redirect_uri ${raw} uses a scheme that cannot receive a code.`);
    }
    if (url.protocol === "http:" && !isLoopback(url.hostname)) {
      throw new InvalidClientMetadataError(
        `redirect_uri ${raw} must use https (plain http only on 127.0.0.1 or localhost).`,
      );
    }
  }
}
