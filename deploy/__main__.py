from deploy.replicas import main

main()
