// The local chat page: the official client library against the emulator. Runs in the browser as an ES module.
import { ChatRoom, DeleteMessageRequest, SendMessageRequest } from '/vendor/amazon-ivs-chat-messaging.js';

const NOT_ACCEPTABLE = 406; // chatErrorCodes.notAcceptable: rejected during message review

const config = await (await fetch('/config.json')).json();
const list = document.getElementById('messages');
const status = document.getElementById('status');
const sendForm = document.getElementById('send');
const contentInput = document.getElementById('content');
document.getElementById('room-name').textContent = config.roomName;

let room;
let isModerator = false;

/** Adds a line; every piece of chat text goes through textContent, never HTML. */
function addLine(className, parts) {
  const item = document.createElement('li');
  item.className = className;
  for (const [partClass, text] of parts) {
    const span = document.createElement('span');
    span.className = partClass;
    span.textContent = text;
    item.append(span);
  }
  list.append(item);
  list.scrollTop = list.scrollHeight;
  return item;
}

function showMessage(message) {
  const masked = message.attributes?.['moderation.result'] === 'masked';
  const parts = [
    ['sender', message.sender.userId],
    ['content', message.content],
  ];
  if (masked) parts.push(['badge', `masked: ${message.attributes['moderation.rules'] ?? ''}`]);
  addMessage(masked ? 'message masked' : 'message', message.id, parts);
}

/** A held message a moderator approved: it arrives as an event, and reads like any other message. */
function showApproved({ messageId, userId, content }) {
  addMessage('message approved', messageId, [
    ['sender', userId ?? '?'],
    ['content', content ?? ''],
    ['badge', 'approved by a moderator'],
  ]);
}

function addMessage(className, messageId, parts) {
  const item = addLine(className, parts);
  item.dataset.messageId = messageId;
  if (isModerator) {
    const button = document.createElement('button');
    button.textContent = 'delete';
    button.addEventListener('click', () => {
      room.deleteMessage(new DeleteMessageRequest(messageId, 'removed by a moderator')).catch((error) => {
        addLine('system', [['content', `delete failed: ${error.errorMessage ?? error.message}`]]);
      });
    });
    item.append(button);
  }
}

function showEvent(event) {
  const attributes = event.attributes ?? {};
  if (event.eventName === 'app:approved-message') return showApproved(attributes);
  if (event.eventName === 'app:moderation-action') {
    const until = attributes.until ? ` until ${new Date(attributes.until).toLocaleString()}` : '';
    const done = { ban: 'was banned', timeout: 'was timed out' }[attributes.action] ?? attributes.action;
    addLine('system moderation', [
      ['content', `${attributes.userId} ${done}${until}: ${attributes.reason ?? ''}`],
    ]);
    return;
  }
  addLine('system', [['content', `event ${event.eventName} ${JSON.stringify(attributes)}`]]);
}

function showDeletion(event) {
  const item = list.querySelector(`[data-message-id="${CSS.escape(event.messageId)}"]`);
  if (item === null) return;
  item.classList.add('deleted');
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.textContent = `deleted${event.reason ? `: ${event.reason}` : ''}`;
  item.append(badge);
}

function showStatus(text, className = '') {
  status.textContent = text;
  status.className = className;
}

function join(userId, role) {
  room?.disconnect();
  isModerator = role === 'moderator';
  // Why the last connection ended, when the server said: a refused token or a moderator's disconnect.
  let refusal;
  let kicked;
  room = new ChatRoom({
    regionOrUrl: config.messagingUrl,
    tokenProvider: async () => {
      const response = await fetch('/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId, role }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        // 403: banned or timed out. The client retries a few times before giving up; say why at once.
        refusal = body.message ?? `HTTP ${response.status}`;
        showStatus(`Refused: ${refusal}`, 'refused');
        throw new Error(refusal);
      }
      refusal = undefined;
      return body;
    },
  });
  room.addListener('connecting', () => {
    kicked = undefined;
    if (refusal === undefined) showStatus('Connecting…');
  });
  room.addListener('connect', () => {
    showStatus(`Connected as ${userId} (${role}).`);
    for (const element of sendForm.elements) element.disabled = false;
    contentInput.focus();
  });
  room.addListener('disconnect', (reason) => {
    if (refusal !== undefined) showStatus(`Refused: ${refusal}`, 'refused');
    else if (kicked !== undefined)
      showStatus(`Disconnected by a moderator${kicked ? `: ${kicked}` : ''}.`, 'kicked');
    else showStatus(`Disconnected (${reason}).`);
    for (const element of sendForm.elements) element.disabled = true;
  });
  room.addListener('message', showMessage);
  room.addListener('messageDelete', showDeletion);
  room.addListener('userDisconnect', (event) => {
    if (event.userId === userId) kicked = event.reason ?? '';
    addLine('system', [['content', `${event.userId} was disconnected: ${event.reason ?? ''}`]]);
  });
  room.addListener('event', showEvent);
  room.connect();
}

document.getElementById('join').addEventListener('submit', (submit) => {
  submit.preventDefault();
  join(document.getElementById('user-id').value.trim(), document.getElementById('role').value);
});

sendForm.addEventListener('submit', (submit) => {
  submit.preventDefault();
  const content = contentInput.value;
  if (content.trim() === '') return;
  contentInput.value = '';
  room.sendMessage(new SendMessageRequest(content)).catch((error) => {
    // Only the sender learns of a denial: IVS answers with ERROR 406 carrying the handler's Reason.
    const denied = error.errorCode === NOT_ACCEPTABLE;
    addLine(denied ? 'denied' : 'system', [
      ['sender', 'not sent'],
      ['content', content],
      [
        'badge',
        `${denied ? 'denied' : `error ${error.errorCode ?? ''}`}: ${error.errorMessage ?? error.message}`,
      ],
    ]);
  });
});
