import type { Conversation } from '../core/conversation.js';
import type { ModelClient, ModelEvent, ModelRequest } from '../core/model-client.js';

/**
 * Messages the user steered into a running turn (`/steer …`), waiting for the model's next
 * request. They are delivered at a request boundary — after every tool result of the step
 * before is in the conversation — so the conversation stays well-formed for the model API.
 */
export class SteeringMessages {
  private pending: string[] = [];

  add(text: string): void {
    this.pending.push(text);
  }

  get size(): number {
    return this.pending.length;
  }

  /** The waiting messages, oldest first; the list is emptied. */
  take(): string[] {
    return this.pending.splice(0);
  }

  /**
   * `model` with steering: before each request, the waiting messages are appended to the
   * conversation as user messages (recorded like any other) and sent with that request.
   */
  deliverBefore(
    model: ModelClient,
    conversation: Conversation,
    delivered: (text: string) => void,
  ): ModelClient {
    const take = () => this.take();
    return {
      get modelId() {
        return model.modelId;
      },
      get contextWindow() {
        return model.contextWindow;
      },
      stream(request: ModelRequest): AsyncIterable<ModelEvent> {
        const steered = take();
        if (!steered.length) return model.stream(request);
        for (const text of steered) {
          conversation.append({ role: 'user', content: text });
          delivered(text);
        }
        return model.stream({ ...request, messages: conversation.forModel() });
      },
    };
  }
}
