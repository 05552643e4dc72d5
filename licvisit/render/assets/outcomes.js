// Record visit outcomes on the route map, offline: a form per stop, kept in the
// browser's localStorage, exported as a visit-history CSV.  Every piece of data
// reaches the page through textContent or form values, never as markup.
// Expects window.LV_OUTCOMES = {key, file, crew_id, officer_ids, stops: [...]} and
// optionally window.LV_MAP (the Leaflet map) to show outcomes in popups.
(function(){
  var C = window.LV_OUTCOMES;
  if (!C) return;
  var OUTCOMES = [
    ['compliant', 'Compliant'], ['advice_given', 'Advice given'], ['breach_found', 'Breach found'],
    ['action_plan', 'Action plan'], ['review_requested', 'Review requested'], ['no_access', 'No access'],
    ['other', 'Other']
  ];
  var LABEL = {};
  OUTCOMES.forEach(function(o){ LABEL[o[0]] = o[1]; });
  var COLUMNS = ['premises_id', 'visited_at', 'visit_type', 'outcome', 'notes', 'crew_id', 'officer_ids',
    'breached_conditions', 'door_staff_checked', 'door_staff_valid', 'recorded_at'];

  function load(){
    try {
      var v = JSON.parse(window.localStorage.getItem(C.key) || '{}');
      return (v && typeof v === 'object' && v.records) ? v : {records: {}};
    } catch (e) { return {records: {}}; }
  }
  var store = load();
  function save(){
    try { window.localStorage.setItem(C.key, JSON.stringify(store)); return true; }
    catch (e) { return false; }
  }
  function el(tag, attrs, text){
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function(k){ e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function pad(n){ return (n < 10 ? '0' : '') + n; }
  function localIso(d){
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' +
      pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  function stopKey(s){ return s.premises_id + '|' + s.visit_type + '|' + s.n; }
  function summary(r){
    var t = (LABEL[r.outcome] || r.outcome) + ' at ' + String(r.visited_at).replace('T', ' ').slice(0, 16);
    if (r.breached_conditions && r.breached_conditions.length) t += '; breached: ' + r.breached_conditions.join('; ');
    if (r.door_staff_checked !== '' && r.door_staff_checked !== undefined) {
      t += '; door staff ' + r.door_staff_valid + ' of ' + r.door_staff_checked + ' valid';
    }
    if (r.notes) t += '; notes: ' + r.notes;
    if (r.exported_at) t += ' (exported)';
    return t;
  }

  // --- the form (one, reused) ---------------------------------------------------------
  var overlay = el('div', {id: 'lv-outcome-dialog', role: 'dialog', 'aria-modal': 'true',
    'aria-labelledby': 'lv-of-title', hidden: ''});
  var box = el('div', {'class': 'lv-of-box'});
  var title = el('h2', {id: 'lv-of-title'});
  var fOutcome = el('select', {id: 'lv-of-outcome', required: ''});
  fOutcome.appendChild(el('option', {value: ''}, 'Choose…'));
  OUTCOMES.forEach(function(o){ fOutcome.appendChild(el('option', {value: o[0]}, o[1])); });
  var fTime = el('input', {id: 'lv-of-time', type: 'datetime-local', step: '60'});
  var fNotes = el('textarea', {id: 'lv-of-notes', rows: '4'});
  var condBox = el('fieldset', {'class': 'lv-of-conds'});
  var doorBox = el('fieldset', {'class': 'lv-of-door'});
  var fChecked = el('input', {id: 'lv-of-checked', type: 'number', min: '0', step: '1', inputmode: 'numeric'});
  var fValid = el('input', {id: 'lv-of-valid', type: 'number', min: '0', step: '1', inputmode: 'numeric'});
  var msg = el('p', {'class': 'lv-of-msg', role: 'alert'});
  var bSave = el('button', {type: 'button', 'class': 'lv-btn', id: 'lv-of-save'}, 'Save');
  var bCancel = el('button', {type: 'button', 'class': 'lv-btn lv-btn-alt', id: 'lv-of-cancel'}, 'Cancel');
  function field(labelText, input){
    var w = el('div', {'class': 'lv-of-field'});
    var l = el('label', {'for': input.id}, labelText);
    w.appendChild(l); w.appendChild(input);
    return w;
  }
  box.appendChild(title);
  box.appendChild(field('Outcome', fOutcome));
  box.appendChild(field('Time of visit', fTime));
  box.appendChild(field('Notes', fNotes));
  box.appendChild(condBox);
  doorBox.appendChild(el('legend', {}, 'SIA door supervisors'));
  doorBox.appendChild(field('Door supervisors checked', fChecked));
  doorBox.appendChild(field('With a valid SIA licence', fValid));
  box.appendChild(doorBox);
  box.appendChild(msg);
  var row = el('div', {'class': 'lv-of-buttons'});
  row.appendChild(bSave); row.appendChild(bCancel);
  box.appendChild(row);
  overlay.appendChild(box);
  document.body.appendChild(overlay);

  var current = null;
  function open(s){
    current = s;
    var r = store.records[stopKey(s)] || {};
    title.textContent = 'Outcome: ' + s.n + '. ' + s.name;
    fOutcome.value = r.outcome || '';
    fTime.value = String(r.visited_at || s.planned).slice(0, 16);
    fNotes.value = r.notes || '';
    while (condBox.firstChild) condBox.removeChild(condBox.firstChild);
    condBox.appendChild(el('legend', {}, 'Licence conditions breached'));
    if (!s.conditions.length) condBox.appendChild(el('p', {'class': 'lv-muted'}, 'No conditions on record.'));
    var breached = r.breached_conditions || [];
    s.conditions.forEach(function(c, i){
      var id = 'lv-of-cond-' + i;
      var w = el('div', {'class': 'lv-of-check'});
      var cb = el('input', {type: 'checkbox', id: id});
      cb.checked = breached.indexOf(c) >= 0;
      cb.lvCondition = c;
      w.appendChild(cb); w.appendChild(el('label', {'for': id}, c));
      condBox.appendChild(w);
    });
    doorBox.hidden = s.visit_type !== 'sia_check';
    fChecked.value = r.door_staff_checked === undefined ? '' : r.door_staff_checked;
    fValid.value = r.door_staff_valid === undefined ? '' : r.door_staff_valid;
    msg.textContent = '';
    overlay.hidden = false;
    fOutcome.focus();
  }
  function close(){ overlay.hidden = true; current = null; }
  bCancel.addEventListener('click', close);
  overlay.addEventListener('keydown', function(e){ if (e.key === 'Escape') close(); });
  bSave.addEventListener('click', function(){
    var s = current; if (!s) return;
    if (!fOutcome.value) { msg.textContent = 'Choose an outcome.'; fOutcome.focus(); return; }
    if (!fTime.value) { msg.textContent = 'Give the time of the visit.'; fTime.focus(); return; }
    var checked = fChecked.value === '' ? '' : parseInt(fChecked.value, 10);
    var valid = fValid.value === '' ? '' : parseInt(fValid.value, 10);
    if (s.visit_type === 'sia_check' && checked !== '' && valid !== '' && valid > checked) {
      msg.textContent = 'Valid licences cannot be more than door supervisors checked.'; fValid.focus(); return;
    }
    var conds = [];
    Array.prototype.forEach.call(condBox.querySelectorAll('input[type=checkbox]'), function(cb){
      if (cb.checked) conds.push(cb.lvCondition);
    });
    var t = fTime.value.length === 16 ? fTime.value + ':00' : fTime.value;
    store.records[stopKey(s)] = {
      n: s.n, premises_id: s.premises_id, visit_type: s.visit_type, outcome: fOutcome.value,
      visited_at: t, notes: fNotes.value, breached_conditions: conds,
      door_staff_checked: s.visit_type === 'sia_check' ? checked : '',
      door_staff_valid: s.visit_type === 'sia_check' ? valid : '',
      recorded_at: localIso(new Date())
    };
    if (!save()) { msg.textContent = 'Could not save on this device (storage full or disabled).'; return; }
    close();
    refresh();
  });

  // --- the stops --------------------------------------------------------------------
  var views = {};
  C.stops.forEach(function(s){
    var li = document.getElementById('stop-' + s.n);
    if (!li) return;
    var status = el('p', {'class': 'lv-outcome', 'data-outcome-for': String(s.n)});
    var b = el('button', {type: 'button', 'class': 'lv-btn lv-record', 'data-record': String(s.n)}, 'Record outcome');
    b.addEventListener('click', function(){ open(s); });
    var actions = li.querySelector('.lv-actions');
    li.insertBefore(status, actions ? actions.nextSibling : null);
    (actions || li).appendChild(b);
    var cardNote = el('p', {'class': 'lv-outcome'});
    var card = li.querySelector('.lv-card');
    if (card) card.insertBefore(cardNote, card.firstChild);
    views[s.n] = {stop: s, status: status, button: b, cardNote: cardNote};
  });
  function refresh(){
    var n = 0;
    Object.keys(views).forEach(function(k){
      var v = views[k], r = store.records[stopKey(v.stop)];
      var text = r ? 'Recorded: ' + summary(r) : '';
      v.status.textContent = text; v.cardNote.textContent = text;
      v.button.textContent = r ? (r.exported_at ? 'Exported' : 'Edit outcome') : 'Record outcome';
      v.button.disabled = !!(r && r.exported_at);
      var icon = document.querySelector('.lv-stop-icon[data-stop="' + v.stop.n + '"]');
      if (icon) icon.classList.toggle('lv-done', !!r);
      if (r) n += 1;
    });
    exportBtn.textContent = 'Export outcomes (' + n + ')';
    exportBtn.disabled = n === 0;
  }

  // --- export -------------------------------------------------------------------------
  function excelSafe(v){
    v = v === undefined || v === null ? '' : String(v);
    return /^[=+\-@\t\r]/.test(v) ? "'" + v : v;
  }
  function csvCell(v){
    v = excelSafe(v);
    return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }
  function exportCsv(){
    var lines = [COLUMNS.join(',')], keys = Object.keys(store.records).sort(function(a, b){
      return store.records[a].n - store.records[b].n;
    });
    var stamp = localIso(new Date());
    keys.forEach(function(k){
      var r = store.records[k];
      var rec = {premises_id: r.premises_id, visited_at: r.visited_at, visit_type: r.visit_type,
        outcome: r.outcome, notes: r.notes, crew_id: C.crew_id, officer_ids: C.officer_ids.join(';'),
        breached_conditions: (r.breached_conditions || []).join('; '),
        door_staff_checked: r.door_staff_checked, door_staff_valid: r.door_staff_valid,
        recorded_at: r.recorded_at};
      lines.push(COLUMNS.map(function(c){ return csvCell(rec[c]); }).join(','));
      if (!r.exported_at) r.exported_at = stamp;
    });
    var blob = new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], {type: 'text/csv;charset=utf-8'});
    var a = el('a', {download: C.file});
    a.href = URL.createObjectURL(blob);
    document.body.appendChild(a);
    a.click();
    setTimeout(function(){ URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    save();
    refresh();
  }
  var panel = document.getElementById('lv-panel');
  var bar = el('p', {'class': 'lv-noprint lv-export'});
  var exportBtn = el('button', {type: 'button', 'class': 'lv-btn', id: 'lv-export'}, 'Export outcomes');
  exportBtn.addEventListener('click', exportCsv);
  bar.appendChild(exportBtn);
  bar.appendChild(el('span', {'class': 'lv-muted'},
    ' Outcomes are kept on this device until exported; then import the file with licvisit visits import.'));
  var itin = panel && panel.querySelector('.lv-itin');
  if (panel) panel.insertBefore(bar, itin || null);

  // Show the recorded outcome at the top of a stop's popup too.
  if (window.LV_MAP) {
    window.LV_MAP.on('popupopen', function(e){
      var src = e.popup && e.popup._source, icon = src && src._icon && src._icon.querySelector('[data-stop]');
      var root = e.popup.getElement && e.popup.getElement();
      if (!icon || !root) return;
      var v = views[icon.getAttribute('data-stop')];
      var content = root.querySelector('.leaflet-popup-content');
      if (!v || !content) return;
      var old = content.querySelector('.lv-outcome');
      if (old) old.remove();
      var r = store.records[stopKey(v.stop)];
      if (r) content.insertBefore(el('p', {'class': 'lv-outcome'}, 'Recorded: ' + summary(r)), content.firstChild);
    });
  }
  window.addEventListener('storage', function(e){ if (e.key === C.key) { store = load(); refresh(); } });
  refresh();
})();
