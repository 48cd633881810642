/* global document, EventSource */
// The live page of a conference: a bar chart of attendance by country and one per ballot, redrawn from every
// `snapshot` event the service sends. Plain DOM and SVG; values only ever reach the page as text, never as markup.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const ROW = 28;
const LABEL = 190;
const WIDTH = 640;
const BAR = WIDTH - LABEL - 60;

const element = (name, attributes = {}, text) => {
  const node = name.startsWith('svg:') ? document.createElementNS(SVG, name.slice(4)) : document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
};

/** A horizontal bar chart of `bars` ({ key, label, count }); bars whose key is in `leaders` are highlighted. */
const barChart = (bars, leaders = []) => {
  const max = Math.max(1, ...bars.map((bar) => bar.count));
  const svg = element('svg:svg', { class: 'chart', viewBox: `0 0 ${WIDTH} ${Math.max(1, bars.length) * ROW}`, role: 'img' });
  bars.forEach((bar, index) => {
    const row = element('svg:g', { 'data-key': bar.key, 'data-count': bar.count, transform: `translate(0, ${index * ROW})` });
    if (leaders.includes(bar.key)) row.setAttribute('class', 'leader');
    row.append(
      element('svg:text', { x: 0, y: ROW / 2, class: 'label' }, bar.label),
      element('svg:rect', { x: LABEL, y: 4, height: ROW - 8, width: (bar.count / max) * BAR, class: 'bar' }),
      element('svg:text', { x: LABEL + (bar.count / max) * BAR + 6, y: ROW / 2, class: 'count' }, String(bar.count)),
    );
    svg.append(row);
  });
  svg.setAttribute('aria-label', bars.map((bar) => `${bar.label}: ${bar.count}`).join(', '));
  return svg;
};

const ballotSection = (ballot) => {
  const section = element('section', { class: 'ballot', 'data-ballot': ballot.ballotId, 'data-counted': ballot.counted });
  const heading = element('h2', {}, `Ballot ${ballot.ballotId}`);
  if (ballot.closed) heading.append(element('span', { class: 'badge' }, 'closed'));
  const award = ballot.awardId === null ? '' : `for ${ballot.awardId} · `;
  const late = ballot.late > 0 ? `, ${ballot.late} late (not counted)` : '';
  const counted = `${ballot.counted} vote${ballot.counted === 1 ? '' : 's'} counted`;
  section.append(heading, element('p', { class: 'meta' }, `${award}${counted}${late}`), barChart(ballot.candidates, ballot.leaders));
  return section;
};

const render = (snapshot) => {
  document.getElementById('title').textContent = `${snapshot.conferenceId} live`;
  document.title = `${snapshot.conferenceId} live`;
  const total = document.getElementById('attendance-total');
  total.textContent = String(snapshot.attendance.total);
  total.dataset.total = String(snapshot.attendance.total);
  document.getElementById('attendance').replaceChildren(barChart(snapshot.attendance.countries));
  document.getElementById('ballots').replaceChildren(...snapshot.ballots.map(ballotSection));
  document.getElementById('empty').hidden = snapshot.ballots.length > 0;
  document.body.dataset.position = snapshot.position ?? '';
};

const status = (state, text) => {
  const node = document.getElementById('status');
  node.dataset.state = state;
  node.textContent = text;
};

// Relative to /conferences/<id>/live: the same conference's stream.
const source = new EventSource('events');
source.addEventListener('open', () => status('live', 'live'));
source.addEventListener('snapshot', (event) => render(JSON.parse(event.data)));
// The browser reconnects by itself after the `retry:` the stream sent; a new stream starts with a full snapshot.
source.addEventListener('error', () => status('reconnecting', 'reconnecting…'));
