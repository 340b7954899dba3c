package zfs_test

// The transcripts the examples replay (see replay): what zfs printed when
// each example ran against real ZFS, the zfs command of OpenZFS 2.1.11 on
// the 2.3.2 kernel module, each on a fresh pool made by
//
//	zpool create -o cachefile=none -R /mnt -O compression=lz4 tank tank.img
//	zfs create -o com.example:keep=7d -o atime=off tank/home
//	zfs create -o quota=1G tank/home/alice
//	zfs create tank/db
//	zfs create tank/logs
//	# write notes.txt, old.txt and draft.txt in tank/home, a photo in alice
//	zfs snapshot -r tank/home@monday
//	zfs set com.example:keep=forever tank/home@monday
//	# append to notes.txt, remove old.txt, rename draft.txt to final.txt,
//	# write todo.txt, another photo in alice
//	zfs snapshot -r tank/home@tuesday
//	zfs bookmark tank/home@monday tank/home#monday
//
// and, for some examples, a little more: a snapshot tank/home@wednesday
// and a hold on tank/home@tuesday for ExampleClient_DestroySnapshots, the
// encrypted filesystem tank/secret (passphrase "correct horse battery
// staple", unmounted, key unloaded) for ExampleFilesystem_LoadKey and
// ExampleFilesystem_ChangeKey.

// recordedLookups replays ExampleClient_Snapshot.
var recordedLookups = []exchange{
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home@monday", stdout: "tank/home@monday\tsnapshot\t4008165788670637862\t16\t1796300991\n"},
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation \"tank/home#monday\"", stdout: "tank/home#monday\tbookmark\t4008165788670637862\t16\t1796300991\n"},
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home@sunday", stderr: "cannot open 'tank/home@sunday': dataset does not exist\n", exit: 1},
}

// recordedDatasets replays ExampleClient_Datasets.
var recordedDatasets = []exchange{
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zfs get -H -p -o name,property,value,source -d 1 -t snapshot name,type,guid,createtxg,creation,used,com.example:keep tank/home", stdout: "tank/home@monday\tname\ttank/home@monday\t-\ntank/home@monday\ttype\tsnapshot\t-\ntank/home@monday\tguid\t1594361619022434851\t-\ntank/home@monday\tcreatetxg\t16\t-\ntank/home@monday\tcreation\t1796301048\t-\ntank/home@monday\tused\t15360\t-\ntank/home@monday\tcom.example:keep\tforever\tlocal\ntank/home@tuesday\tname\ttank/home@tuesday\t-\ntank/home@tuesday\ttype\tsnapshot\t-\ntank/home@tuesday\tguid\t13396554327096398986\t-\ntank/home@tuesday\tcreatetxg\t20\t-\ntank/home@tuesday\tcreation\t1796301062\t-\ntank/home@tuesday\tused\t0\t-\ntank/home@tuesday\tcom.example:keep\t7d\tinherited from tank/home\n"},
}

// recordedList replays ExampleClient_List.
var recordedList = []exchange{
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zfs list -H -p -d 1 -t filesystem -o name,type,guid,createtxg,creation,used,compression -S used tank", stdout: "tank\tfilesystem\t2450094827174440563\t1\t1796301074\t1125376\tlz4\ntank/home\tfilesystem\t15149197729568730705\t9\t1796301078\t870400\tlz4\ntank/db\tfilesystem\t15763922685505110774\t13\t1796301082\t24576\tlz4\ntank/logs\tfilesystem\t12342599613333166564\t14\t1796301085\t24576\tlz4\n"},
}

// recordedGet replays ExampleFilesystem_Get.
var recordedGet = []exchange{
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home/alice", stdout: "tank/home/alice\tfilesystem\t4924709101993258712\t11\t1796301136\n"},
	{cmd: "zfs get -H -p -o name,property,value,source used,quota,compressratio,atime,compression,com.example:keep tank/home/alice", stdout: "tank/home/alice\tused\t829440\t-\ntank/home/alice\tquota\t1073741824\tlocal\ntank/home/alice\tcompressratio\t1.00\t-\ntank/home/alice\tatime\toff\tinherited from tank/home\ntank/home/alice\tcompression\tlz4\tinherited from tank\ntank/home/alice\tcom.example:keep\t7d\tinherited from tank/home\n"},
}

// recordedCreate replays ExampleClient_CreateFilesystem.
var recordedCreate = []exchange{
	{cmd: "zfs create -o compression=zstd -o encryption=on -o keyformat=passphrase -o keylocation=prompt tank/secret", stdin: "correct horse battery staple"},
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/secret", stdout: "tank/secret\tfilesystem\t16464745432219857686\t31\t1796301267\n"},
	{cmd: "zfs get -H -p -o name,property,value,source keystatus tank/secret", stdout: "tank/secret\tkeystatus\tavailable\t-\n"},
	{cmd: "zfs create tank/home", stderr: "cannot create 'tank/home': dataset already exists\n", exit: 1},
}

// recordedCreateVolume replays ExampleClient_CreateVolume.
var recordedCreateVolume = []exchange{
	{cmd: "zfs create -s -b 16384 -V 1073741824 tank/disk0"},
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/disk0", stdout: "tank/disk0\tvolume\t1760078917274990811\t24\t1796301336\n"},
	{cmd: "zfs get -H -p -o name,property,value,source volsize,volblocksize,refreservation tank/disk0", stdout: "tank/disk0\tvolsize\t1073741824\tlocal\ntank/disk0\tvolblocksize\t16384\tdefault\ntank/disk0\trefreservation\t0\tdefault\n"},
}

// recordedSnapshot replays ExampleFilesystem_CreateSnapshot.
var recordedSnapshot = []exchange{
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home", stdout: "tank/home\tfilesystem\t17805447755694513576\t9\t1796301352\n"},
	{cmd: "zfs snapshot -r tank/home@monday", stderr: "cannot create snapshot 'tank/home@monday': dataset already exists\ncannot create snapshot 'tank/home/alice@monday': dataset already exists\nno snapshots were created\n", exit: 1},
	{cmd: "zfs snapshot -r -o com.example:keep=30d tank/home@wednesday"},
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zfs list -H -p -t snapshot -o name,type,guid,createtxg,creation tank/home@wednesday", stdout: "tank/home@wednesday\tsnapshot\t12707302629188682601\t25\t1796301394\n"},
	{cmd: "zfs list -H -p -d 1 -t snapshot -o name,type,guid,createtxg,creation -s createtxg tank/home", stdout: "tank/home@monday\tsnapshot\t8795839169048609846\t16\t1796301365\ntank/home@tuesday\tsnapshot\t2137570236507106328\t19\t1796301373\ntank/home@wednesday\tsnapshot\t12707302629188682601\t25\t1796301394\n"},
}

// recordedSnapshots replays ExampleClient_CreateSnapshots.
var recordedSnapshots = []exchange{
	{cmd: "zfs snapshot tank/db@backup tank/logs@backup"},
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zfs list -H -p -t snapshot -o name,type,guid,createtxg,creation tank/db@backup tank/logs@backup", stdout: "tank/db@backup\tsnapshot\t14887155317740991786\t25\t1796301464\ntank/logs@backup\tsnapshot\t3803075515520516435\t25\t1796301464\n"},
}

// recordedBookmark replays ExampleSnapshot_CreateBookmark.
var recordedBookmark = []exchange{
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home@tuesday", stdout: "tank/home@tuesday\tsnapshot\t565126735414628071\t21\t1796301521\n"},
	{cmd: "zfs bookmark tank/home@tuesday \"tank/home#tuesday\""},
	{cmd: "zfs bookmark tank/home@tuesday \"tank/home#tuesday\"", stderr: "cannot create bookmark 'tank/home#tuesday': bookmark exists\n", exit: 1},
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation \"tank/home#tuesday\"", stdout: "tank/home#tuesday\tbookmark\t565126735414628071\t21\t1796301521\n"},
	{cmd: "zfs bookmark tank/home@tuesday \"tank/home#monday\"", stderr: "cannot create bookmark 'tank/home#monday': bookmark exists\n", exit: 1},
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation \"tank/home#monday\"", stdout: "tank/home#monday\tbookmark\t11482525756138593952\t16\t1796301501\n"},
	{cmd: "zfs destroy tank/home@tuesday"},
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zfs list -H -p -d 1 -t bookmark -o name,type,guid,createtxg,creation tank/home", stdout: "tank/home#monday\tbookmark\t11482525756138593952\t16\t1796301501\ntank/home#tuesday\tbookmark\t565126735414628071\t21\t1796301521\n"},
}

// recordedHold replays ExampleSnapshot_Hold.
var recordedHold = []exchange{
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home@monday", stdout: "tank/home@monday\tsnapshot\t1579649576943316652\t16\t1796301612\n"},
	{cmd: "zfs hold -r backup-in-progress tank/home@monday"},
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zfs holds -H -r tank/home@monday", stdout: "tank/home@monday\tbackup-in-progress\tThu Dec  3 12:40 2026\ntank/home/alice@monday\tbackup-in-progress\tThu Dec  3 12:40 2026\n"},
	{cmd: "zfs destroy tank/home@monday", stderr: "cannot destroy snapshot tank/home@monday: dataset is busy\n", exit: 1},
	{cmd: "zfs release -r backup-in-progress tank/home@monday"},
	{cmd: "zfs release backup-in-progress tank/home@monday", stderr: "cannot release hold from snapshot 'tank/home@monday': no such tag on this dataset\n", exit: 1},
}

// recordedDestroySnapshots replays ExampleClient_DestroySnapshots.
var recordedDestroySnapshots = []exchange{
	{cmd: "zfs destroy -n -v -p tank/home@monday%wednesday", stdout: "destroy\ttank/home@monday\ndestroy\ttank/home@tuesday\ndestroy\ttank/home@wednesday\nreclaim\t28672\n"},
	{cmd: "zfs destroy tank/home@monday,tuesday,wednesday", stderr: "cannot destroy snapshot tank/home@tuesday: dataset is busy\n", exit: 1},
	{cmd: "zfs destroy tank/home@monday,wednesday"},
}

// recordedDestroy replays ExampleFilesystem_Destroy.
var recordedDestroy = []exchange{
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home", stdout: "tank/home\tfilesystem\t4097931235230280585\t9\t1796301742\n"},
	{cmd: "zfs destroy tank/home", stderr: "cannot destroy 'tank/home': filesystem has children\nuse '-r' to destroy the following datasets:\ntank/home/alice@monday\ntank/home/alice@tuesday\ntank/home/alice\ntank/home@monday\ntank/home@tuesday\n", exit: 1},
	{cmd: "zfs destroy -n -v -p -r tank/home", stdout: "destroy\ttank/home/alice@monday\ndestroy\ttank/home/alice@tuesday\ndestroy\ttank/home/alice\ndestroy\ttank/home@monday\ndestroy\ttank/home@tuesday\ndestroy\ttank/home\n"},
	{cmd: "zfs destroy -r tank/home"},
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home", stderr: "cannot open 'tank/home': dataset does not exist\n", exit: 1},
}

// recordedRename replays ExampleFilesystem_Rename.
var recordedRename = []exchange{
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home/alice", stdout: "tank/home/alice\tfilesystem\t5534576198360942340\t11\t1796301798\n"},
	{cmd: "zfs rename -p tank/home/alice tank/users/alice"},
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/users/alice", stdout: "tank/users/alice\tfilesystem\t5534576198360942340\t11\t1796301798\n"},
	{cmd: "zfs rename tank/db tank/logs", stderr: "cannot rename 'tank/db': dataset already exists\n", exit: 1},
}

// recordedRenameSnapshot replays ExampleSnapshot_Rename.
var recordedRenameSnapshot = []exchange{
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home@monday", stdout: "tank/home@monday\tsnapshot\t6203721376083742628\t21\t1796304047\n"},
	{cmd: "zfs rename -r tank/home@monday tank/home@2026-11-23"},
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zfs list -H -p -r -t snapshot -o name,type,guid,createtxg,creation tank/home", stdout: "tank/home@2026-11-23\tsnapshot\t6203721376083742628\t21\t1796304047\ntank/home@tuesday\tsnapshot\t9242308362934051766\t28\t1796304082\ntank/home/alice@2026-11-23\tsnapshot\t14946311426223687655\t21\t1796304047\ntank/home/alice@tuesday\tsnapshot\t15061786737100918050\t28\t1796304082\n"},
}

// recordedRollback replays ExampleSnapshot_Rollback.
var recordedRollback = []exchange{
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home@monday", stdout: "tank/home@monday\tsnapshot\t3081095733227771046\t18\t1796304145\n"},
	{cmd: "zfs rollback tank/home@monday", stderr: "cannot rollback to 'tank/home@monday': more recent snapshots or bookmarks exist\nuse '-r' to force deletion of the following snapshots and bookmarks:\ntank/home@tuesday\n", exit: 1},
	{cmd: "zfs rollback -r tank/home@monday"},
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home", stdout: "tank/home\tfilesystem\t3488517030571478928\t9\t1796304122\n"},
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zfs list -H -p -d 1 -t snapshot -o name,type,guid,createtxg,creation -s createtxg tank/home", stdout: "tank/home@monday\tsnapshot\t3081095733227771046\t18\t1796304145\n"},
}

// recordedDiff replays ExampleClient_Diff.
var recordedDiff = []exchange{
	{cmd: "zfs diff -H -F -t tank/home@monday tank/home@tuesday", stdout: "1796304217.356001903\tM\tF\t/mnt/tank/home/notes.txt\n1796304204.092001740\t-\tF\t/mnt/tank/home/old.txt\n1796304221.332001952\tR\tF\t/mnt/tank/home/draft.txt\t/mnt/tank/home/final.txt\n1796304221.368001952\tM\t/\t/mnt/tank/home/\n1796304221.372001952\t+\tF\t/mnt/tank/home/todo.txt\n"},
}

// recordedProgram replays ExampleClient_Program.
var recordedProgram = []exchange{
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zfs program -j -n tank - tank/home", stdin: "\n\t\tlocal n = 0\n\t\tfor s in zfs.list.snapshots((...)[\"argv\"][1]) do n = n + 1 end\n\t\treturn n\n\t", stdout: "{\"return\":2}"},
}

// recordedLoadKey replays ExampleFilesystem_LoadKey.
var recordedLoadKey = []exchange{
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/secret", stdout: "tank/secret\tfilesystem\t8116742318434614044\t37\t1796304462\n"},
	{cmd: "zfs get -H -p -o name,property,value,source keystatus tank/secret", stdout: "tank/secret\tkeystatus\tunavailable\t-\n"},
	{cmd: "zfs load-key -L prompt tank/secret", stdin: "wrong horse battery staple", stderr: "Key load error: Incorrect key provided for 'tank/secret'.\n", exit: 255},
	{cmd: "zfs load-key -L prompt tank/secret", stdin: "correct horse battery staple"},
	{cmd: "zfs mount tank/secret"},
	{cmd: "zfs get -H -p -o name,property,value,source mounted,mountpoint tank/secret", stdout: "tank/secret\tmounted\tyes\t-\ntank/secret\tmountpoint\t/mnt/tank/secret\tdefault\n"},
}

// recordedChangeKey replays ExampleFilesystem_ChangeKey.
var recordedChangeKey = []exchange{
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/secret", stdout: "tank/secret\tfilesystem\t10643620020712759660\t44\t1796304819\n"},
	{cmd: "zfs load-key -L prompt tank/secret", stdin: "correct horse battery staple"},
	{cmd: "zfs change-key -o keylocation=prompt tank/secret", stdin: "a new and longer passphrase"},
	{cmd: "zfs get -H -p -o name,property,value,source keystatus tank/secret", stdout: "tank/secret\tkeystatus\tavailable\t-\n"},
}

// recordedClientOptions replays ExampleClientOptions.
var recordedClientOptions = []exchange{
	{cmd: "zfs version", stdout: "zfs-2.1.11-1+deb12u1\nzfs-kmod-2.3.2-2~bpo12+2\n"},
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home", stdout: "tank/home\tfilesystem\t360536956212053757\t9\t1796300920\n"},
	{cmd: "zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/nope", stderr: "cannot open 'tank/nope': dataset does not exist\n", exit: 1},
}
