// The moderator view: the room live through the official client, and the moderator API for every action, so
// each one is audited and acts once per Idempotency-Key. Runs in the browser as an ES module.
import { ChatRoom } from '/vendor/amazon-ivs-chat-messaging.js';

const HELD_POLL_MS = 3_000;

const config = await (await fetch('/config.json')).json();
const roomArn = config.roomArn;
const byId = (id) => document.getElementById(id);
const activity = byId('activity');
const status = byId('status');
const errors = byId('errors');
const lookupInput = byId('lookup-user');
byId('room-name').textContent = config.roomName;

let room;

// ---- building blocks ------------------------------------------------------------------------------------

/** A span whose text is set with textContent: chat content and user ids are untrusted, never HTML. */
function span(className, text) {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

function button(label, onClick, className) {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = label;
  if (className) element.className = className;
  element.addEventListener('click', onClick);
  return element;
}

function time(millis) {
  return new Date(millis).toLocaleTimeString();
}

/** A sender's name that opens their strikes and sanction. */
function userButton(userId) {
  const element = button(userId, () => selectUser(userId), 'sender');
  element.title = `strikes, sanction and actions for ${userId}`;
  return element;
}

function addActivity(className, children) {
  const item = document.createElement('li');
  item.className = className;
  item.append(span('time', new Date().toLocaleTimeString()), ...children);
  const atBottom = activity.scrollTop + activity.clientHeight >= activity.scrollHeight - 4;
  activity.append(item);
  // Follow new activity unless the moderator scrolled up to read.
  if (atBottom) activity.scrollTop = activity.scrollHeight;
  return item;
}

function showError(text, retry) {
  const item = document.createElement('li');
  item.append(span('content', text));
  if (retry)
    item.append(
      ' ',
      button('retry', () => {
        item.remove();
        retry();
      }),
    );
  item.append(
    ' ',
    button('dismiss', () => item.remove()),
  );
  errors.append(item);
}

// ---- the moderator API --------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    const detail = [
      body.message,
      Array.isArray(body.problems) ? body.problems.join('; ') : undefined,
      body.failed === undefined ? undefined : `failed: ${JSON.stringify(body.failed)}`,
      body.retry,
    ].filter((part) => typeof part === 'string' && part !== '');
    super(
      `HTTP ${status}${body.error ? ` ${body.error}` : ''}${detail.length ? `: ${detail.join(' — ')}` : ''}`,
    );
    this.status = status;
    this.body = body;
  }
}

function idempotencyKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context; 127.0.0.1 is one, but a page proxied under another name may not be.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');
}

async function request(method, path, body, key) {
  const headers = { 'content-type': 'application/json' };
  if (key !== undefined) {
    headers['idempotency-key'] = key;
    const name = byId('moderator-name').value.trim();
    if (name !== '') headers['x-moderator-name'] = name;
  }
  const response = await fetch(`/api${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, payload);
  return payload;
}

const query = (parameters) => new URLSearchParams({ roomArn, ...parameters }).toString();

/**
 * One moderator action. A retry after a failure sends the same Idempotency-Key, so an action that half
 * happened (502 action-failed) is finished rather than done twice.
 */
async function act(action, body, { label = action, key = idempotencyKey() } = {}) {
  try {
    const { audit, duplicate } = await request('POST', `/moderation/${action}`, { roomArn, ...body }, key);
    return { audit, duplicate };
  } catch (error) {
    // Only a failure that may have half happened, or a request still running (409), is worth the same request
    // again; any other 4xx needs a new one.
    const retriable = !(error instanceof ApiError) || error.status >= 500 || error.status === 409;
    showError(
      `${label} failed: ${error.message}`,
      retriable ? () => act(action, body, { label, key }) : undefined,
    );
    return undefined;
  } finally {
    void refreshAudit();
  }
}

// ---- asking for a reason ------------------------------------------------------------------------------

const dialog = byId('reason-dialog');
const reasonInput = byId('reason');
let answer;

/** Resolves to the reason typed, or undefined when cancelled. */
function askReason(title, { required = true } = {}) {
  byId('reason-title').textContent = title;
  reasonInput.value = '';
  reasonInput.required = required;
  reasonInput.placeholder = required ? 'required' : 'optional';
  dialog.showModal();
  reasonInput.focus();
  return new Promise((resolve) => {
    answer = resolve;
  });
}

byId('reason-form').addEventListener('submit', (submit) => {
  submit.preventDefault();
  dialog.close();
  answer?.(reasonInput.value.trim());
  answer = undefined;
});
byId('reason-cancel').addEventListener('click', () => dialog.close());
dialog.addEventListener('close', () => {
  answer?.(undefined);
  answer = undefined;
});

// ---- live room activity -------------------------------------------------------------------------------

function messageLine(className, { messageId, userId, content, badges }) {
  const item = addActivity(className, [userButton(userId), span('content', content)]);
  for (const badge of badges) item.append(span('badge', badge));
  item.dataset.messageId = messageId;
  item.dataset.userId = userId;
  const actions = document.createElement('span');
  actions.className = 'actions';
  actions.append(
    button('delete', async () => {
      const reason = await askReason(`Delete ${userId}'s message`);
      if (reason !== undefined) await act('delete', { messageId, reason }, { label: 'delete' });
    }),
  );
  item.prepend(actions);
}

function showMessage(message) {
  const masked = message.attributes?.['moderation.result'] === 'masked';
  messageLine(masked ? 'message masked' : 'message', {
    messageId: message.id,
    userId: message.sender.userId,
    content: message.content,
    badges: masked ? [`masked: ${message.attributes['moderation.rules'] ?? ''}`] : [],
  });
}

function showDeletion(event) {
  const item = activity.querySelector(`[data-message-id="${CSS.escape(event.messageId)}"]`);
  if (item === null) {
    addActivity('system', [span('content', `message ${event.messageId} deleted: ${event.reason ?? ''}`)]);
    return;
  }
  item.classList.add('deleted');
  item.querySelector('.actions')?.remove();
  item.append(span('badge', `deleted${event.reason ? `: ${event.reason}` : ''}`));
}

function showEvent(event) {
  const attributes = event.attributes ?? {};
  if (event.eventName === 'app:approved-message') {
    messageLine('message approved', {
      messageId: attributes.messageId ?? event.id,
      userId: attributes.userId ?? '?',
      content: attributes.content ?? '',
      badges: ['approved'],
    });
    return;
  }
  if (event.eventName === 'app:moderation-action') {
    // Another moderator (or the CLI) acted: their audit entry is new.
    void refreshAudit();
    const until = attributes.until ? ` until ${new Date(attributes.until).toLocaleString()}` : '';
    addActivity('system moderation', [
      span('content', `${attributes.action ?? 'action'}: `),
      userButton(attributes.userId ?? '?'),
      span('content', `${until} — ${attributes.reason ?? ''}`),
    ]);
    return;
  }
  addActivity('system', [span('content', `event ${event.eventName} ${JSON.stringify(attributes)}`)]);
}

function connect(userId) {
  room?.disconnect();
  room = new ChatRoom({
    regionOrUrl: config.messagingUrl,
    tokenProvider: async () => {
      const response = await fetch('/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId, role: 'moderator' }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        showError(`chat token refused (HTTP ${response.status}): ${body.message ?? ''}`);
        throw new Error(body.message);
      }
      return body;
    },
  });
  room.addListener('connecting', () => {
    status.textContent = 'Connecting…';
  });
  room.addListener('connect', () => {
    status.textContent = `Connected as ${userId} (moderator).`;
  });
  room.addListener('disconnect', (reason) => {
    status.textContent = `Disconnected (${reason}).`;
  });
  room.addListener('message', showMessage);
  room.addListener('messageDelete', showDeletion);
  room.addListener('userDisconnect', (event) => {
    addActivity('system', [
      userButton(event.userId),
      span('content', `was disconnected${event.reason ? `: ${event.reason}` : ''}`),
    ]);
  });
  room.addListener('event', showEvent);
  room.connect();
}

byId('join').addEventListener('submit', (submit) => {
  submit.preventDefault();
  connect(byId('moderator-id').value.trim());
});

// ---- a user's strikes, sanction and actions ------------------------------------------------------------

let selectedUser;

async function selectUser(userId) {
  selectedUser = userId;
  lookupInput.value = userId;
  const sanction = byId('sanction');
  const strikes = byId('strikes');
  try {
    const body = await request('GET', `/moderation/strikes?${query({ userId })}`);
    if (selectedUser !== userId) return;
    sanction.className = body.sanction ? 'active' : '';
    sanction.textContent = body.sanction
      ? `${userId}: ${body.sanction.kind === 'ban' ? 'banned' : 'timed out'}${
          body.sanction.untilMillis ? ` until ${new Date(body.sanction.untilMillis).toLocaleString()}` : ''
        } — ${body.sanction.reason}`
      : `${userId}: no sanction`;
    strikes.replaceChildren(
      ...body.strikes.map((strike) => {
        const item = document.createElement('li');
        item.append(span('time', time(strike.atMillis)), span('content', `strike: ${strike.ruleId}`));
        item.append(span('detail', `message ${strike.messageId}`));
        return item;
      }),
    );
    if (body.strikes.length === 0) strikes.replaceChildren(span('system', 'no active strikes'));
  } catch (error) {
    showError(`strikes of ${userId}: ${error.message}`);
  }
}

byId('lookup').addEventListener('submit', (submit) => {
  submit.preventDefault();
  void selectUser(lookupInput.value.trim());
});

byId('user-actions').addEventListener('click', async (click) => {
  const action = click.target instanceof HTMLButtonElement ? click.target.dataset.action : undefined;
  if (action === undefined) return;
  const userId = lookupInput.value.trim();
  if (userId === '') {
    showError(`${action}: pick a user first`);
    return;
  }
  const seconds = Number(byId('timeout-seconds').value);
  const title = action === 'timeout' ? `Time out ${userId} for ${seconds} s` : `${action} ${userId}`;
  const reason = await askReason(title, { required: action !== 'unban' });
  if (reason === undefined) return;
  const body = {
    userId,
    ...(reason === '' ? {} : { reason }),
    ...(action === 'timeout' && { seconds }),
  };
  await act(action, body, { label: `${action} ${userId}` });
  await selectUser(userId);
});

// ---- held messages --------------------------------------------------------------------------------------

const heldList = byId('held');
const heldStatus = byId('held-status');
let heldTimer;
let heldShown = '';

function heldLine(held) {
  const item = document.createElement('li');
  item.dataset.messageId = held.messageId;
  const actions = document.createElement('span');
  actions.className = 'actions';
  actions.append(
    button('approve', async () => {
      if (await act('approve', { messageId: held.messageId }, { label: 'approve' })) item.remove();
      void refreshHeld();
    }),
    button('reject', async () => {
      const reason = await askReason(`Reject ${held.userId}'s held message`, { required: false });
      if (reason === undefined) return;
      const body = { messageId: held.messageId, ...(reason === '' ? {} : { reason }) };
      if (await act('reject', body, { label: 'reject' })) item.remove();
      void refreshHeld();
    }),
  );
  item.append(
    actions,
    span('time', time(held.heldAtMillis)),
    userButton(held.userId),
    span('content', held.content),
    span('detail', `${(held.ruleIds ?? []).join(', ')}: ${held.reason ?? ''}`),
  );
  return item;
}

async function refreshHeld() {
  try {
    const { messages } = await request('GET', `/moderation/held?${query({})}`);
    heldStatus.textContent = messages.length === 0 ? 'No held messages.' : `${messages.length} held`;
    // Re-rendered only when the set changes, so a button is not replaced under the moderator's pointer.
    const shown = messages.map((held) => held.messageId).join(' ');
    if (shown === heldShown) return;
    heldShown = shown;
    heldList.replaceChildren(...messages.map(heldLine));
  } catch (error) {
    if (error.status === 404 || error.status === 405) {
      // An API without held messages (a moderator API from before them answers 405): nothing will appear.
      clearInterval(heldTimer);
      heldStatus.textContent = `Held messages are not available from this API (HTTP ${error.status}).`;
      return;
    }
    heldStatus.textContent = `Could not load held messages: ${error.message}`;
  }
}

// ---- audit log ------------------------------------------------------------------------------------------

const auditList = byId('audit');

async function refreshAudit() {
  try {
    const { entries } = await request('GET', `/moderation/audit?${query({})}`);
    auditList.replaceChildren(
      ...entries
        .slice()
        .reverse()
        .map((entry) => {
          const item = document.createElement('li');
          item.className = `audit ${entry.action}`;
          item.dataset.action = entry.action;
          const target = entry.userId ?? (entry.messageId ? `message ${entry.messageId}` : '');
          const until = entry.untilMillis ? ` until ${new Date(entry.untilMillis).toLocaleString()}` : '';
          item.append(
            span('time', time(entry.atMillis)),
            span('sender', entry.action),
            span('content', `${target}${until} — ${entry.reason ?? ''}`),
            span('detail', `by ${entry.moderatorName ?? entry.moderatorId}`),
          );
          return item;
        }),
    );
  } catch (error) {
    showError(`audit log: ${error.message}`);
  }
}

byId('audit-refresh').addEventListener('click', () => void refreshAudit());

if (typeof roomArn !== 'string') {
  showError('config.json names no roomArn: the moderator API needs one.');
} else {
  void refreshAudit();
  void refreshHeld();
  heldTimer = setInterval(refreshHeld, HELD_POLL_MS);
}
