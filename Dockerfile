# The relay's image: one image for every role (Sendarix:Roles picks silo, SMTP front-end or API at start).
#   docker build -t <registry>/sendarix:<tag> .
# bicep/README.md says how to push it and run it on Azure.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
# Only what the host's build reads: the shared build settings and the projects under src/.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet restore src/Sendarix.Host/Sendarix.Host.csproj
RUN dotnet publish src/Sendarix.Host/Sendarix.Host.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# The relay writes nothing beside its binary; a working directory of its own takes any relative data path.
WORKDIR /var/lib/sendarix
COPY --from=build /app /app
RUN chown "$APP_UID" /var/lib/sendarix
# The image's non-root user: the relay listens above 1024 and a load balancer maps 587 and 465 to it.
USER $APP_UID

# Inside a container the relay must listen on every address, not only on the loopback of appsettings.json.
ENV Sendarix__Api__Url=http://0.0.0.0:8025 \
    Sendarix__Smtp__BindAddress=0.0.0.0

# STARTTLS and implicit-TLS submission, the API with its probes and /metrics, and Orleans' silo and gateway ports.
EXPOSE 2587 2465 8025 11111 30000
ENTRYPOINT ["dotnet", "/app/Sendarix.Host.dll"]
