// report.html's behaviour: zoom the timeline, show a mark's detail, jump from a failed check to its evidence.
(() => {
  const events = JSON.parse(document.getElementById('events').textContent);
  const detail = document.getElementById('detail');
  const inner = document.getElementById('tl-inner');
  const fmt = (ms) => (ms === undefined ? '' : `+${(ms / 1000).toFixed(3)} s`);
  const text = (tag, value, cls) => {
    const el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  };
  for (const button of document.querySelectorAll('[data-zoom]')) {
    button.addEventListener('click', () => {
      inner.style.width = `${Number(button.dataset.zoom) * 100}%`;
      document.querySelectorAll('[data-zoom]').forEach((b) => b.classList.toggle('on', b === button));
    });
  }
  let selected;
  const show = (index) => {
    const event = events[index];
    if (!event) return;
    selected?.classList.remove('sel');
    selected = document.querySelector(`svg [data-e="${index}"]`);
    selected?.classList.add('sel');
    detail.classList.remove('muted');
    detail.replaceChildren();
    const when = event.endMs === undefined ? fmt(event.atMs) : `${fmt(event.atMs)} → ${fmt(event.endMs)} (${Math.round(event.endMs - event.atMs)} ms)`;
    const count = event.count > 1 ? ` ×${event.count}` : '';
    detail.append(text('strong', `${event.label}${count}`), text('span', `  [${event.status ?? 'info'}] · ${event.lane} · ${when}`, 'muted'));
    if (event.detail) detail.append(text('pre', JSON.stringify(event.detail, null, 2), 'json'));
    if (event.ticks && event.ticks.length > 1) detail.append(text('div', `attempts at ${event.ticks.slice(0, 40).map(fmt).join(', ')}${event.ticks.length > 40 ? ', …' : ''}`, 'muted'));
  };
  document.addEventListener('click', (click) => {
    const target = click.target.closest('[data-e]');
    if (!target) return;
    click.preventDefault();
    const index = Number(target.dataset.e);
    show(index);
    const check = target.dataset.check;
    const evidence = check !== undefined && document.getElementById(`check-${check}`);
    if (evidence && target.closest('svg')) {
      evidence.scrollIntoView({ behavior: 'smooth', block: 'start' });
      evidence.classList.remove('flash');
      void evidence.offsetWidth;
      evidence.classList.add('flash');
    } else if (!target.closest('svg')) {
      document.getElementById('timeline').scrollIntoView({ behavior: 'smooth', block: 'start' });
    }
  });
})();
