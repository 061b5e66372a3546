// Progressive enhancement only: every page works without this file. No framework.
document.body.classList.add('js-enabled', 'govuk-frontend-supported');

// Focus the error summary, as the GOV.UK error summary component does.
var summary = document.querySelector('.govuk-error-summary');
if (summary) {
  summary.setAttribute('tabindex', '-1');
  summary.focus();
}

// A comparison run's page: poll its status in place instead of refreshing the whole page.
var run = document.querySelector('[data-module="sb-run-progress"]');
if (run && run.getAttribute('data-finished') === 'false') {
  var refresh = document.querySelector('meta[http-equiv="refresh"]');
  if (refresh) refresh.remove();
  var poll = function () {
    fetch(run.getAttribute('data-status-url'), { headers: { accept: 'application/json' } })
      .then(function (res) {
        if (!res.ok) throw new Error(String(res.status));
        return res.json();
      })
      .then(function (s) {
        run.querySelector('.sb-run__status').textContent = s.statusText;
        run.querySelector('.sb-run__progress').textContent = String(s.progress);
        run.querySelector('.sb-run__message').textContent = s.message || '';
        var bar = run.querySelector('progress');
        bar.value = s.progress;
        bar.textContent = s.progress + '%';
        if (s.finished) {
          var hint = run.querySelector('.sb-run__refresh');
          if (hint) hint.hidden = true;
          if (s.status === 'completed') run.querySelector('.sb-run__done').hidden = false;
          run.setAttribute('data-finished', 'true');
        } else {
          setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        setTimeout(poll, 5000);
      });
  };
  setTimeout(poll, 500);
}

// Sortable tables: header buttons sort the rows by that column.
document.querySelectorAll('[data-module="sb-sortable-table"]').forEach(function (table) {
  var headers = table.querySelectorAll('thead th');
  headers.forEach(function (th, column) {
    var button = document.createElement('button');
    button.type = 'button';
    button.textContent = th.textContent;
    th.textContent = '';
    th.appendChild(button);
    if (!th.hasAttribute('aria-sort')) th.setAttribute('aria-sort', 'none');
    button.addEventListener('click', function () {
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      headers.forEach(function (h) {
        h.setAttribute('aria-sort', 'none');
      });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var body = table.querySelector('tbody');
      var rows = Array.prototype.slice.call(body.querySelectorAll('tr'));
      rows.sort(function (a, b) {
        var x = a.children[column].textContent.trim();
        var y = b.children[column].textContent.trim();
        var nx = parseFloat(x);
        var ny = parseFloat(y);
        var order = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) {
        body.appendChild(row);
      });
    });
  });
});
