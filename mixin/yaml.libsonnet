// Renders Prometheus rule groups as the readable YAML checked in under prometheus/rules: block scalars for
// multi-line expressions, plain scalars where YAML allows them, and a rule's hidden `comment` field as # lines above
// it. std.manifestYamlDoc would quote every key and string, which makes diffs and reviews harder.
local indicators = '-?:,[]{}#&*!|>\'"%@`';
local reserved = ['', 'true', 'false', 'null', 'yes', 'no', 'on', 'off', '~'];

// std.findSubstr is written in jsonnet and slow; std.strReplace is native.
local contains(s, sub) = std.length(std.strReplace(s, sub, '')) != std.length(s);

local plain(s) =
  !(std.length(s) <= 5 && std.member(reserved, std.asciiLower(s)))
  && !contains(indicators, s[0])
  && !contains(s, ': ')
  && !contains(s, ' #')
  && !contains(s, '\n')
  && s[std.length(s) - 1] != ':'
  && s[0] != ' ' && s[std.length(s) - 1] != ' '
  && std.length(std.stripChars(s, '0123456789.+-e')) > 0;

local scalar(s) =
  if plain(s) then s else "'" + std.strReplace(s, "'", "''") + "'";

// std.rstripChars slices the string character by character; std.substr is native.
local lines(s) = std.split(if std.endsWith(s, '\n') then std.substr(s, 0, std.length(s) - 1) else s, '\n');

// A string value after "key:", at the given indentation of the key.
local value(v, indent) =
  local s = if std.isString(v) then v else std.toString(v);
  if contains(s, '\n') then
    ' |\n' + std.join('\n', [if l == '' then '' else indent + '  ' + l for l in lines(s)])
  else ' ' + scalar(s);

// Keys a reader looks for first, in this order; any others follow alphabetically.
local keyOrder = ['severity', 'recovery_action', 'summary', 'description', 'runbook_url', 'dashboard_url'];
local ordered(m) =
  [k for k in keyOrder if std.objectHas(m, k)] + [k for k in std.objectFields(m) if !std.member(keyOrder, k)];

local map(m, indent) =
  std.join('\n', [indent + k + ':' + value(m[k], indent) for k in ordered(m)]);

local ruleKeys = ['alert', 'record', 'expr', 'for', 'keep_firing_for'];

local comment(o, indent) =
  if std.objectHasAll(o, 'comment') && o.comment != null then
    std.join('', [indent + (if l == '' then '#' else '# ' + l) + '\n' for l in lines(o.comment)])
  else '';

local rule(r, indent) =
  local first = [k for k in ruleKeys if std.objectHas(r, k)];
  local scalars = [(if i == 0 then indent + '- ' else indent + '  ') + first[i] + ':' + value(r[first[i]], indent + '  ')
                   for i in std.range(0, std.length(first) - 1)];
  local maps = [indent + '  ' + k + ':\n' + map(r[k], indent + '    ')
                for k in ['labels', 'annotations'] if std.objectHas(r, k)];
  comment(r, indent) + std.join('\n', scalars + maps);

local group(g) =
  comment(g, '  ')
  + '  - name: ' + scalar(g.name) + '\n'
  + (if std.objectHas(g, 'interval') then '    interval: ' + g.interval + '\n' else '')
  + '    rules:\n'
  + std.join('\n', [rule(r, '      ') for r in g.rules]);

{
  // header: comment text (without #) for the top of the file; rules: an object with a groups array.
  render(header, rules)::
    std.join('', [(if l == '' then '#' else '# ' + l) + '\n' for l in lines(header)])
    + 'groups:\n'
    + std.join('\n\n', [group(g) for g in rules.groups]) + '\n',
}
