<?php
// Oracle for the composer scheme: Composer's own composer/semver (Debian php-composer-semver).
// Each version is normalized by VersionParser (branch names count as invalid: they have no order),
// then ordered by Comparator. Reads "a<TAB>b" lines, prints "<a valid> <b valid> <order>" (order "?" when either is invalid).
require '/usr/share/php/Composer/Semver/autoload.php';

use Composer\Semver\Comparator;
use Composer\Semver\VersionParser;

$parser = new VersionParser();
$normalize = function ($v) use ($parser) {
    try {
        $n = $parser->normalize($v);
        return strpos($n, 'dev-') === 0 ? null : $n;
    } catch (\UnexpectedValueException $e) {
        return null;
    }
};
while (($line = fgets(STDIN)) !== false) {
    [$a, $b] = explode("\t", rtrim($line, "\n"), 2);
    $x = $normalize($a);
    $y = $normalize($b);
    $order = '?';
    if ($x !== null && $y !== null) {
        $order = Comparator::lessThan($x, $y) ? '-1' : (Comparator::equalTo($x, $y) ? '0' : '1');
    }
    echo ($x === null ? 0 : 1), ' ', ($y === null ? 0 : 1), ' ', $order, "\n";
}
