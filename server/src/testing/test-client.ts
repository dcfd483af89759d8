import type { NotificationMethod, RequestData, RequestMethod } from '@raum/protocol';

type Message = { type: string; id?: number | null; ok?: boolean; method?: string; data?: any; error?: { code: string; message: string } };

/**
 * A bare signalling client over Node's WebSocket, for tests that speak the
 * protocol directly, malformed messages included.
 */
export class TestClient {
  readonly received: Message[] = [];
  private readonly waiters: Array<{ match: (message: Message) => boolean; resolve: (message: Message) => void }> = [];
  private nextId = 1;

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as Message;
      this.received.push(message);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(message)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    });
  }

  static connect(url: string): Promise<TestClient> {
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(new TestClient(socket)), { once: true });
      socket.addEventListener('error', () => reject(new Error('cannot connect')), { once: true });
    });
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends a well-formed request and returns the whole response envelope. */
  request<M extends RequestMethod>(method: M, data: RequestData<M> | Record<string, unknown>): Promise<Message> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ type: 'request', id, method, data }));
    return this.next((message) => message.type === 'response' && message.id === id);
  }

  /** Sends a request and returns its data, failing on an error response. */
  async call<M extends RequestMethod>(method: M, data: RequestData<M> | Record<string, unknown>): Promise<any> {
    const response = await this.request(method, data);
    if (!response.ok) throw new Error(`${method} failed: ${response.error?.code} ${response.error?.message}`);
    return response.data;
  }

  /** Sends anything, as text or binary, and returns the next response. */
  sendRaw(payload: string | Uint8Array): Promise<Message> {
    const response = this.next((message) => message.type === 'response');
    this.socket.send(payload as string | ArrayBufferView<ArrayBuffer>);
    return response;
  }

  notification(method: NotificationMethod, match: (data: any) => boolean = () => true): Promise<Message> {
    const seen = this.received.find((message) => message.method === method && match(message.data));
    if (seen) return Promise.resolve(seen);
    return this.next((message) => message.type === 'notification' && message.method === method && match(message.data));
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.addEventListener('close', () => resolve(), { once: true });
      this.socket.close();
    });
  }

  private next(match: (message: Message) => boolean, timeoutMs = 5000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching message in time')), timeoutMs);
      this.waiters.push({ match, resolve: (message) => (clearTimeout(timer), resolve(message)) });
    });
  }
}
