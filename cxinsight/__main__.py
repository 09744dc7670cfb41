from cxinsight.cli import main

main()
